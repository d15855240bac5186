import { from, lastValueFrom, throwError, toArray, concat } from 'rxjs';
import type { ChatCompletionChunk, ChunkChoice } from '../../providers/llm-provider.types.js';
import { toMessagesEvents } from './messages-stream.operator.js';

function chunk(delta: ChunkChoice['delta'], finish: ChunkChoice['finish_reason'] = null) {
  return {
    id: 'c',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'm',
    choices: [{ index: 0, delta, finish_reason: finish }],
  } satisfies ChatCompletionChunk;
}

const usage: ChatCompletionChunk = {
  id: 'c',
  object: 'chat.completion.chunk',
  created: 0,
  model: 'm',
  choices: [],
  usage: {
    prompt_tokens: 30,
    completion_tokens: 7,
    total_tokens: 37,
    prompt_tokens_details: { cached_tokens: 10 },
  },
};

const options = { id: 'msg_abc', model: 'claude-x', inputTokens: 25 };

describe(toMessagesEvents.name, () => {
  it('opens a block per run of text and per tool call, and ends with the stop reason and usage', async () => {
    const events = await lastValueFrom(
      from([
        chunk({ role: 'assistant', content: '' }),
        chunk({ content: 'Let me ' }),
        chunk({ content: 'check.' }),
        chunk({
          tool_calls: [
            { index: 0, id: 'call_1', type: 'function', function: { name: 'w', arguments: '' } },
          ],
        }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '"Oslo"}' } }] }),
        chunk({
          tool_calls: [{ index: 1, id: 'call_2', function: { name: 'v', arguments: '{}' } }],
        }),
        chunk({}, 'tool_calls'),
        usage,
      ]).pipe(toMessagesEvents(options), toArray()),
    );
    expect(events).toEqual([
      {
        type: 'message_start',
        message: {
          id: 'msg_abc',
          type: 'message',
          role: 'assistant',
          model: 'claude-x',
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: {
            input_tokens: 25,
            output_tokens: 0,
            cache_creation_input_tokens: null,
            cache_read_input_tokens: null,
          },
        },
      },
      { type: 'ping' },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Let me ' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'check.' } },
      { type: 'content_block_stop', index: 0 },
      {
        type: 'content_block_start',
        index: 1,
        content_block: { type: 'tool_use', id: 'call_1', name: 'w', input: {} },
      },
      {
        type: 'content_block_delta',
        index: 1,
        delta: { type: 'input_json_delta', partial_json: '{"city":' },
      },
      {
        type: 'content_block_delta',
        index: 1,
        delta: { type: 'input_json_delta', partial_json: '"Oslo"}' },
      },
      { type: 'content_block_stop', index: 1 },
      {
        type: 'content_block_start',
        index: 2,
        content_block: { type: 'tool_use', id: 'call_2', name: 'v', input: {} },
      },
      {
        type: 'content_block_delta',
        index: 2,
        delta: { type: 'input_json_delta', partial_json: '{}' },
      },
      { type: 'content_block_stop', index: 2 },
      {
        type: 'message_delta',
        delta: { stop_reason: 'tool_use', stop_sequence: null },
        usage: {
          input_tokens: 20,
          output_tokens: 7,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 10,
        },
      },
      { type: 'message_stop' },
    ]);
  });

  it('maps length to max_tokens and passes an error through without a message_stop', async () => {
    const events = await lastValueFrom(
      from([chunk({ content: 'a' }, 'length')]).pipe(toMessagesEvents(options), toArray()),
    );
    expect(events.at(-2)).toMatchObject({ delta: { stop_reason: 'max_tokens' } });
    const failing = concat(
      from([chunk({ content: 'a' })]),
      throwError(() => new Error('boom')),
    );
    const seen: string[] = [];
    await expect(lastValueFrom(failing.pipe(toMessagesEvents(options)))).rejects.toThrow('boom');
    failing.pipe(toMessagesEvents(options)).subscribe({
      next: (event) => seen.push(event.type),
      error: () => seen.push('error'),
    });
    expect(seen).toEqual([
      'message_start',
      'ping',
      'content_block_start',
      'content_block_delta',
      'error',
    ]);
  });
});
