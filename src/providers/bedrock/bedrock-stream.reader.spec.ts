import type { ConverseStreamOutput } from '@aws-sdk/client-bedrock-runtime';
import { readFileSync } from 'node:fs';
import { UpstreamHttpError } from '../http/upstream-http.error.js';
import type { ChatCompletionChunk } from '../llm-provider.types.js';
import type { AnswerFrame } from './bedrock-response.mapper.js';
import { BedrockStreamReader } from './bedrock-stream.reader.js';

interface WireEvent {
  type: string;
  payload: Record<string, unknown>;
}

/** The recorded events as the SDK yields them: keyed by event type, `p` padding dropped. */
function events(name: string): ConverseStreamOutput[] {
  const wire = JSON.parse(
    readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'),
  ) as WireEvent[];
  return wire.map(({ type, payload }) => {
    const { p: _padding, ...value } = payload;
    return { [type]: value } as unknown as ConverseStreamOutput;
  });
}

const frame: AnswerFrame = {
  id: 'chatcmpl-s1',
  created: 1_760_000_000,
  model: 'anthropic.claude-3-haiku',
};

function readAll(input: ConverseStreamOutput[], at: AnswerFrame = frame): ChatCompletionChunk[] {
  const reader = new BedrockStreamReader(at);
  const out = input.flatMap((event) => reader.read(event));
  const usage = reader.finish();
  if (usage) out.push(usage);
  return out;
}

describe(BedrockStreamReader.name, () => {
  it('turns a text stream into chunks, the role on the first, usage held to the end', () => {
    const chunks = readAll(events('converse-stream-text.events.json'));

    expect(chunks).toHaveLength(5);
    expect(chunks[0]).toEqual({
      id: 'chatcmpl-s1',
      object: 'chat.completion.chunk',
      created: 1_760_000_000,
      model: 'anthropic.claude-3-haiku',
      choices: [
        {
          index: 0,
          delta: { role: 'assistant', content: 'Bonjour' },
          finish_reason: null,
          logprobs: null,
        },
      ],
    });
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Bonjour à tous 👋');
    expect(chunks.slice(1).every((c) => c.choices[0]?.delta.role === undefined)).toBe(true);
    expect(chunks[3].choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
    expect(chunks[4]).toEqual({
      id: 'chatcmpl-s1',
      object: 'chat.completion.chunk',
      created: 1_760_000_000,
      model: 'anthropic.claude-3-haiku',
      choices: [],
      usage: { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 },
    });
  });

  it('numbers streamed tool calls from 0 whatever the block index, and joins fragments per call', () => {
    const chunks = readAll(events('converse-stream-tools.events.json'));
    const deltas = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);

    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: 'Checking ' });
    const openers = deltas.filter((d) => d.id !== undefined);
    expect(openers).toEqual([
      {
        index: 0,
        id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q',
        type: 'function',
        function: { name: 'get_weather', arguments: '' },
      },
      {
        index: 1,
        id: 'tooluse_b2VJbGlkX3NlY29uZA',
        type: 'function',
        function: { name: 'get_time', arguments: '' },
      },
    ]);
    const args = (index: number) =>
      deltas
        .filter((d) => d.index === index)
        .map((d) => d.function?.arguments ?? '')
        .join('');
    expect(JSON.parse(args(0))).toEqual({ city: 'Paris', unit: 'celsius' });
    expect(JSON.parse(args(1))).toEqual({ zone: 'Europe/Paris' });
    // The empty first fragment produces no chunk; every other fragment one chunk each.
    expect(deltas.filter((d) => d.id === undefined)).toHaveLength(7);

    const finish = chunks[chunks.length - 2];
    expect(finish.choices[0].finish_reason).toBe('tool_calls');
    expect(chunks[chunks.length - 1].usage).toEqual({
      prompt_tokens: 668,
      completion_tokens: 97,
      total_tokens: 765,
      prompt_tokens_details: { cached_tokens: 256 },
    });
  });

  it('streams the structured_output input as content and finishes with stop', () => {
    const chunks = readAll(events('converse-stream-structured.events.json'), {
      ...frame,
      structuredTool: 'structured_output',
    });

    expect(chunks.every((c) => c.choices[0]?.delta.tool_calls === undefined)).toBe(true);
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    const content = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(JSON.parse(content)).toEqual({ name: 'Ada Lovelace', born: 1815 });
    expect(chunks[chunks.length - 2].choices[0].finish_reason).toBe('stop');
  });

  it('drops text beside the structured answer so the content stays JSON', () => {
    const input = events('converse-stream-structured.events.json');
    input.splice(1, 0, {
      contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Sure: ' } },
    } as ConverseStreamOutput);
    const chunks = readAll(input, { ...frame, structuredTool: 'structured_output' });
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toMatch(/^\{"name"/);
  });

  it('puts the role on the finish chunk of an empty answer', () => {
    const chunks = readAll([
      { messageStart: { role: 'assistant' } },
      { messageStop: { stopReason: 'max_tokens' } },
    ] as ConverseStreamOutput[]);
    expect(chunks).toHaveLength(1);
    expect(chunks[0].choices[0]).toMatchObject({
      delta: { role: 'assistant' },
      finish_reason: 'length',
    });
  });

  it('emits no usage chunk when the metadata event carries no usage', () => {
    const input = events('converse-stream-text.events.json');
    input[input.length - 1] = { metadata: { metrics: { latencyMs: 3 } } } as ConverseStreamOutput;
    const chunks = readAll(input);
    expect(chunks.some((c) => c.choices.length === 0)).toBe(false);
  });

  it('fails at the end of a stream that never sent messageStop', () => {
    const reader = new BedrockStreamReader(frame);
    for (const event of events('converse-stream-text.events.json').slice(0, 4)) reader.read(event);

    expect(reader.stopped).toBe(false);
    expect(() => reader.finish()).toThrow(UpstreamHttpError);
    expect(() => reader.finish()).toThrow('stream ended without a finish reason');
  });

  it('refuses a tool-use fragment whose block never started', () => {
    const reader = new BedrockStreamReader(frame);
    expect(() =>
      reader.read({
        contentBlockDelta: { contentBlockIndex: 4, delta: { toolUse: { input: '{}' } } },
      }),
    ).toThrow('a tool-use delta came before its block start');
  });

  it('ignores reasoning deltas and events it does not know', () => {
    const reader = new BedrockStreamReader(frame);
    expect(
      reader.read({
        contentBlockDelta: { contentBlockIndex: 0, delta: { reasoningContent: { text: 'hmm' } } },
      }),
    ).toEqual([]);
    expect(reader.read({ $unknown: ['futureEvent', {}] })).toEqual([]);
  });
});
