import { readFileSync } from 'node:fs';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { type SseEvent, SseEventParser } from '../http/sse-event.parser.js';
import { UpstreamHttpError } from '../http/upstream-http.error.js';
import type { ChatCompletionChunk } from '../llm-provider.types.js';
import { CohereStreamReader } from './cohere-stream.reader.js';

const context = { provider: 'cohere', traceId: 'trace-1', secrets: ['co-key'] };
const identity = { model: 'command-r-plus', created: 1_750_000_000, fallbackId: 'chatcmpl-x' };

/** The recorded-style stream, cut into one write per byte range to stress the parser too. */
function events(name: string, pieceSize = 7): SseEvent[] {
  const bytes = readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
  const parser = new SseEventParser();
  const out: SseEvent[] = [];
  for (let i = 0; i < bytes.length; i += pieceSize) {
    out.push(...parser.push(bytes.subarray(i, i + pieceSize)));
  }
  out.push(...parser.end());
  return out;
}

function readAll(list: SseEvent[]): { chunks: ChatCompletionChunk[]; reader: CohereStreamReader } {
  const reader = new CohereStreamReader(context, identity);
  const chunks = list.flatMap((event) => reader.read(event));
  return { chunks, reader };
}

describe(CohereStreamReader.name, () => {
  it('streams text (thinking left out), role first, then the finish and a usage chunk', () => {
    const { chunks, reader } = readAll(events('chat-text.events.txt'));
    const usage = reader.end();

    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    expect(chunks.slice(1).every((c) => c.choices[0].delta.role === undefined)).toBe(true);
    expect(chunks.map((c) => c.choices[0].delta.content ?? '').join('')).toBe(
      'Paris is the capital — Grüße 🌍.',
    );
    expect(chunks.every((c) => c.id === '3b9e2f7a-1c4d-4f8e-a6b5-0d9c8e7f6a51')).toBe(true);
    expect(chunks.every((c) => c.model === 'command-r-plus' && c.created === 1_750_000_000)).toBe(
      true,
    );
    const last = chunks[chunks.length - 1];
    expect(last.choices[0]).toEqual({
      index: 0,
      delta: {},
      finish_reason: 'stop',
      logprobs: null,
    });
    expect(usage).toMatchObject({
      object: 'chat.completion.chunk',
      choices: [],
      usage: {
        prompt_tokens: 498,
        completion_tokens: 12,
        total_tokens: 510,
        prompt_tokens_details: { cached_tokens: 448 },
      },
    });
    expect(reader.done).toBe(true);
  });

  it('streams tool calls split across many events as OpenAI openers and fragments', () => {
    const { chunks } = readAll(events('chat-tool.events.txt', 3));
    const deltas = chunks.flatMap((c) => c.choices[0].delta.tool_calls ?? []);

    expect(deltas.filter((d) => d.id !== undefined)).toEqual([
      {
        index: 0,
        id: 'get_weather_k2m8x1q0z7ab',
        type: 'function',
        function: { name: 'get_weather', arguments: '' },
      },
      {
        index: 1,
        id: 'get_time_p4n6r3s9t1cd',
        type: 'function',
        function: { name: 'get_time', arguments: '' },
      },
    ]);
    const args = (index: number) =>
      deltas
        .filter((d) => d.index === index)
        .map((d) => d.function?.arguments ?? '')
        .join('');
    expect(args(0)).toBe('{"city":"Paris"}');
    expect(args(1)).toBe('{"zone":"Europe/Paris"}');
    expect(deltas.filter((d) => d.index === 0 && d.id === undefined)).toHaveLength(5);
    expect(chunks.map((c) => c.choices[0].delta.content ?? '').join('')).toBe(
      'I will check Paris and Lyon.',
    );
    expect(chunks[chunks.length - 1].choices[0].finish_reason).toBe('tool_calls');
  });

  it("assigns OpenAI's tool indexes in order, whatever index Cohere counts from", () => {
    const reader = new CohereStreamReader(context, identity);
    const event = (data: object): SseEvent => ({ data: JSON.stringify(data) });
    reader.read(event({ type: 'message-start', id: 'm1' }));
    const opener = reader.read(
      event({
        type: 'tool-call-start',
        index: 3,
        delta: {
          message: {
            tool_calls: {
              id: 't1',
              type: 'function',
              function: { name: 'f', arguments: '{"a":' },
            },
          },
        },
      }),
    );
    const fragment = reader.read(
      event({
        type: 'tool-call-delta',
        index: 3,
        delta: { message: { tool_calls: { function: { arguments: '1}' } } } },
      }),
    );

    expect(opener.map((c) => c.choices[0].delta.tool_calls)).toEqual([
      [{ index: 0, id: 't1', type: 'function', function: { name: 'f', arguments: '' } }],
      [{ index: 0, function: { arguments: '{"a":' } }],
    ]);
    expect(fragment[0].choices[0].delta.tool_calls).toEqual([
      { index: 0, function: { arguments: '1}' } },
    ]);
  });

  it('turns message-end with ERROR into a provider error that does not echo Cohere', () => {
    const list = events('chat-error.events.txt');
    const reader = new CohereStreamReader(context, identity);
    const seen: ChatCompletionChunk[] = [];
    let failure: unknown;
    try {
      for (const event of list) seen.push(...reader.read(event));
    } catch (error) {
      failure = error;
    }

    expect(seen.map((c) => c.choices[0].delta.content ?? '').join('')).toBe('Partial');
    expect(failure).toBeInstanceOf(GatewayError);
    expect((failure as GatewayError).status).toBe(502);
    expect((failure as GatewayError).code).toBe('provider_error');
    expect((failure as GatewayError).message).not.toContain('internal error while generating');
  });

  it('refuses a stream cut before message-end, [DONE] or not', () => {
    const list = events('chat-text.events.txt').slice(0, -1);
    const { reader } = readAll([...list, { data: '[DONE]' }]);
    expect(reader.done).toBe(true);
    expect(() => reader.end()).toThrow(UpstreamHttpError);
    expect(() => readAll(list).reader.end()).toThrow('stream ended without a finish reason');
  });

  it('ignores citation, debug and unknown events, and everything after message-end', () => {
    const list = events('chat-text.events.txt');
    const extra: SseEvent[] = [
      { event: 'citation-start', data: '{"type":"citation-start","index":0,"delta":{}}' },
      { event: 'debug', data: '{"type":"debug","prompt":"x"}' },
      { event: 'brand-new', data: '{"type":"brand-new"}' },
    ];
    const plain = readAll(list).chunks;
    const noisy = readAll([...list.slice(0, 3), ...extra, ...list.slice(3), ...extra]).chunks;
    expect(noisy).toEqual(plain);
  });

  it('emits no usage chunk when Cohere reported none', () => {
    const reader = new CohereStreamReader(context, identity);
    reader.read({ data: '{"type":"message-start","id":"m"}' });
    reader.read({ data: '{"type":"message-end","delta":{"finish_reason":"MAX_TOKENS"}}' });
    expect(reader.end()).toBeUndefined();
  });

  it('refuses events that are not JSON objects, and tool deltas with no open call', () => {
    const reader = new CohereStreamReader(context, identity);
    expect(() => reader.read({ data: 'not json' })).toThrow(UpstreamHttpError);
    expect(() => reader.read({ data: '[1]' })).toThrow(UpstreamHttpError);
    expect(() =>
      reader.read({
        data: '{"type":"tool-call-delta","delta":{"message":{"tool_calls":{"function":{"arguments":"x"}}}}}',
      }),
    ).toThrow('a tool-call-delta has no open tool call');
  });
});
