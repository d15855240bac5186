import { concat, from, lastValueFrom, throwError, toArray } from 'rxjs';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { ErrorCode } from '../../common/errors/error-code.js';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChunkChoice,
} from '../../providers/llm-provider.types.js';
import {
  expectResponsesShape,
  expectResponsesStream,
} from '../../../test/helpers/openai-responses-schemas.js';
import type { ResponsesRequest } from './dto/responses-request.schema.js';
import { toResponse } from './responses-response.mapper.js';
import { responsesSseFraming } from './responses-sse.framing.js';
import { toResponsesEvents } from './responses-stream.operator.js';
import type { ResponseObject, ResponsesStreamEvent } from './responses.types.js';

type WithResponse = { type: string; response: ResponseObject };

function chunk(delta: ChunkChoice['delta'], finish: ChunkChoice['finish_reason'] = null) {
  return {
    id: 'c',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'upstream-model',
    choices: [{ index: 0, delta, finish_reason: finish }],
  } satisfies ChatCompletionChunk;
}

const usage: ChatCompletionChunk = {
  id: 'c',
  object: 'chat.completion.chunk',
  created: 0,
  model: 'upstream-model',
  choices: [],
  usage: {
    prompt_tokens: 30,
    completion_tokens: 7,
    total_tokens: 37,
    prompt_tokens_details: { cached_tokens: 10 },
  },
};

const request = {
  model: 'claude-x',
  input: 'Weather?',
  instructions: 'Be terse.',
  tools: [{ type: 'function', name: 'weather', parameters: { type: 'object' } }],
} as ResponsesRequest;
const frame = { id: 'resp_0123456789abcdef0123456789abcdef', createdAt: 1_700_000_000, request };

const run = (chunks: ChatCompletionChunk[]) =>
  lastValueFrom(from(chunks).pipe(toResponsesEvents(frame), toArray()));

describe(toResponsesEvents.name, () => {
  it('emits the Responses events for text then tool calls, numbered, and the whole response last', async () => {
    const events = await run([
      chunk({ role: 'assistant', content: '' }),
      chunk({ content: 'Let me ' }),
      chunk({ content: 'check.' }),
      chunk({
        tool_calls: [
          {
            index: 0,
            id: 'call_1',
            type: 'function',
            function: { name: 'weather', arguments: '' },
          },
        ],
      }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"Oslo"}' } }] }),
      chunk({
        tool_calls: [{ index: 1, id: 'call_2', function: { name: 'time', arguments: '{}' } }],
      }),
      chunk({}, 'tool_calls'),
      usage,
    ]);
    expectResponsesStream(events);
    expect(events.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const created = events[0] as Extract<ResponsesStreamEvent, { type: 'response.created' }>;
    expect(created.response).toMatchObject({
      id: frame.id,
      status: 'in_progress',
      model: 'claude-x',
      instructions: 'Be terse.',
      usage: null,
      output: [],
    });
    const textDone = events[6] as Extract<
      ResponsesStreamEvent,
      { type: 'response.output_text.done' }
    >;
    expect(textDone.text).toBe('Let me check.');
    const argsDone = events[14] as Extract<
      ResponsesStreamEvent,
      { type: 'response.function_call_arguments.done' }
    >;
    expect(argsDone).toMatchObject({
      output_index: 1,
      name: 'weather',
      arguments: '{"city":"Oslo"}',
    });
    const completed = events.at(-1) as WithResponse;
    expect(completed.response.status).toBe('completed');
    expect(completed.response.output).toEqual([
      {
        id: expect.stringMatching(/^msg_/),
        type: 'message',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: 'Let me check.', annotations: [], logprobs: [] }],
      },
      {
        id: expect.stringMatching(/^fc_/),
        type: 'function_call',
        status: 'completed',
        call_id: 'call_1',
        name: 'weather',
        arguments: '{"city":"Oslo"}',
      },
      {
        id: expect.stringMatching(/^fc_/),
        type: 'function_call',
        status: 'completed',
        call_id: 'call_2',
        name: 'time',
        arguments: '{}',
      },
    ]);
    expect(completed.response.usage).toEqual({
      input_tokens: 30,
      input_tokens_details: { cached_tokens: 10 },
      output_tokens: 7,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 37,
    });
  });

  it('ends a response cut short by the token cap with response.incomplete', async () => {
    const events = await run([chunk({ content: 'Once upon' }), chunk({}, 'length')]);
    expectResponsesStream(events);
    const last = events.at(-1) as WithResponse;
    expect(last.type).toBe('response.incomplete');
    expect(last.response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(last.response.usage).toBeNull();
  });

  it('streams a refusal as a refusal part', async () => {
    const events = await run([chunk({ refusal: 'I cannot' }), chunk({}, 'stop')]);
    expectResponsesStream(events);
    expect(events.map((e) => e.type)).toContain('response.refusal.done');
  });

  it('passes an upstream failure on untouched, for the framing to report', async () => {
    const failure = new GatewayError(ErrorCode.ProviderError, 'boom');
    const types: string[] = [];
    const events$ = concat(
      from([chunk({ content: 'Hi' })]),
      throwError(() => failure),
    ).pipe(toResponsesEvents(frame));
    await expect(
      new Promise((resolve, reject) =>
        events$.subscribe({
          next: (e) => types.push(e.type),
          error: reject,
          complete: () => resolve(undefined),
        }),
      ),
    ).rejects.toBe(failure);
    expect(types.at(-1)).toBe('response.output_text.delta');
  });
});

describe(responsesSseFraming.name, () => {
  it('frames events with event: lines and a failure as response.failed continuing the numbering', async () => {
    const framing = responsesSseFraming();
    const events = await run([chunk({ content: 'Hi' })]);
    const started = events.slice(0, 5);
    const text = started.map((e) => framing.event(e)).join('');
    expect(text.startsWith('event: response.created\ndata: {')).toBe(true);
    const failed = framing.error(
      new GatewayError(ErrorCode.ProviderRateLimited, 'slow down'),
      'trace-1',
    );
    expect(failed.startsWith('event: response.failed\ndata: ')).toBe(true);
    const event = JSON.parse(failed.split('data: ')[1]);
    expectResponsesShape('ResponseStreamEvent', event);
    expect(event.sequence_number).toBe(5);
    expect(event.response.status).toBe('failed');
    expect(event.response.error).toEqual({
      code: 'rate_limit_exceeded',
      message: 'slow down (trace trace-1)',
    });
    expect(framing.end).toBe('');
  });
});

describe(toResponse.name, () => {
  const completion = (message: ChatCompletion['choices'][0]['message'], finish = 'stop') =>
    ({
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 0,
      model: 'upstream',
      choices: [{ index: 0, message, finish_reason: finish, logprobs: null }],
      usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 },
    }) as ChatCompletion;

  it('answers text and tool calls as output items, with usage, valid per the spec', () => {
    const response = toResponse(
      completion(
        {
          role: 'assistant',
          content: 'Checking.',
          refusal: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{}' } },
          ],
        },
        'tool_calls',
      ),
      frame,
    );
    expectResponsesShape('Response', response);
    expect(response).toMatchObject({
      id: frame.id,
      object: 'response',
      status: 'completed',
      model: 'claude-x',
      incomplete_details: null,
      usage: { input_tokens: 5, output_tokens: 3, total_tokens: 8 },
    });
    expect(response.output.map((item) => item.type)).toEqual(['message', 'function_call']);
    expect(response.output[1]).toMatchObject({
      call_id: 'call_1',
      name: 'weather',
      arguments: '{}',
    });
  });

  it('marks an answer cut at the cap incomplete', () => {
    const response = toResponse(
      completion({ role: 'assistant', content: 'Once', refusal: null }, 'length'),
      frame,
    );
    expectResponsesShape('Response', response);
    expect(response.status).toBe('incomplete');
    expect(response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
  });
});
