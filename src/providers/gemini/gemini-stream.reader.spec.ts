import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { SseEventParser, type SseEvent } from '../http/sse-event.parser.js';
import { UpstreamHttpError } from '../http/upstream-http.error.js';
import type { ChatCompletionChunk } from '../llm-provider.types.js';
import type { AnswerMeta } from './gemini-response.mapper.js';
import { GeminiStreamReader } from './gemini-stream.reader.js';
import { thoughtSignatureOf } from './gemini-tool-call-id.mapper.js';

function meta(): AnswerMeta {
  let n = 0;
  return {
    context: { provider: 'gemini', traceId: 'trace-1' },
    model: 'gemini-2.0-flash',
    created: 1_750_000_000,
    newKey: () => `KEY${String(++n).padStart(13, '0')}`,
  };
}

/** The fixture's bytes through the real SSE parser, fed in small slices as TCP would. */
function events(name: string): SseEvent[] {
  const bytes = readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
  const parser = new SseEventParser();
  const out: SseEvent[] = [];
  for (let i = 0; i < bytes.length; i += 7) out.push(...parser.push(bytes.subarray(i, i + 7)));
  return [...out, ...parser.end()];
}

function readAll(input: SseEvent[]): ChatCompletionChunk[] {
  const reader = new GeminiStreamReader(meta());
  const chunks = input.flatMap((event) => reader.read(event));
  const usage = reader.end();
  return usage ? [...chunks, usage] : chunks;
}

function data(payload: unknown): SseEvent {
  return { data: JSON.stringify(payload) };
}

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

const text = (t: string, finishReason?: string) => ({
  candidates: [{ content: { parts: [{ text: t }], role: 'model' }, index: 0, finishReason }],
});

describe(GeminiStreamReader.name, () => {
  beforeAll(() => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterAll(() => jest.restoreAllMocks());

  it('turns CRLF events into chunks: role first, text, finish, then the last usage', () => {
    const chunks = readAll(events('stream.chunks.txt'));

    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(
      'Bonjour à tous, 世界 👋',
    );
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: 'Bonjour à ' });
    expect(chunks.slice(1).every((c) => c.choices[0]?.delta.role === undefined)).toBe(true);
    expect(chunks[chunks.length - 2].choices[0]).toEqual({
      index: 0,
      delta: {},
      finish_reason: 'stop',
      logprobs: null,
    });
    expect(chunks[chunks.length - 1]).toEqual({
      id: 'chatcmpl-s1t2r3e4a5m6Gem',
      object: 'chat.completion.chunk',
      created: 1_750_000_000,
      model: 'gemini-2.5-flash',
      choices: [],
      usage: {
        prompt_tokens: 9,
        completion_tokens: 25,
        total_tokens: 34,
        completion_tokens_details: { reasoning_tokens: 18 },
      },
    });
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks.slice(0, -1).every((c) => !('usage' in c))).toBe(true);
  });

  it('streams function calls spread over many events as openers and whole arguments', () => {
    const chunks = readAll(events('stream-tool-calls.chunks.txt'));
    const deltas = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);

    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: 'Checking ' });
    expect(deltas).toEqual([
      {
        index: 0,
        id: expect.stringMatching(/^call_KEY0000000000001_s/),
        type: 'function',
        function: { name: 'get_weather', arguments: '' },
      },
      { index: 0, function: { arguments: '{"city":"Paris","unit":"celsius"}' } },
      {
        index: 1,
        id: 'call_KEY0000000000002',
        type: 'function',
        function: { name: 'get_time', arguments: '' },
      },
      { index: 1, function: { arguments: '{"zone":"Europe/Paris"}' } },
      {
        index: 2,
        id: 'call_KEY0000000000003',
        type: 'function',
        function: { name: 'get_weather', arguments: '' },
      },
      { index: 2, function: { arguments: '{"city":"Rome"}' } },
    ]);
    expect(thoughtSignatureOf(deltas[0].id!)).toBe('EtoFCtUFAdHtim+9v0Q3Zx0=');
    // Gemini says STOP; the caller must hear tool_calls.
    expect(chunks[chunks.length - 2].choices[0].finish_reason).toBe('tool_calls');
    expect(chunks[chunks.length - 1].usage).toEqual({
      prompt_tokens: 9,
      completion_tokens: 38,
      total_tokens: 47,
    });
  });

  it('ends a stream stopped for safety with content_filter', () => {
    const chunks = readAll(events('stream-safety.chunks.txt'));
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(
      'Here is how to start',
    );
    expect(chunks[chunks.length - 2].choices[0].finish_reason).toBe('content_filter');
  });

  it('refuses a prompt blocked on the first event with 400 provider_rejected_request', () => {
    const reader = new GeminiStreamReader(meta());
    const error = thrown(() =>
      reader.read(data({ promptFeedback: { blockReason: 'PROHIBITED_CONTENT' } })),
    ) as GatewayError;
    expect(error.code).toBe(ErrorCode.ProviderRejectedRequest);
    expect(error.message).toContain('blocked the prompt for safety reasons');
    expect(error.message).toContain('PROHIBITED_CONTENT');
  });

  it('fails with provider_error on an error event, without echoing it', () => {
    const reader = new GeminiStreamReader(meta());
    reader.read(data(text('Hello')));
    const error = thrown(() =>
      reader.read(data({ error: { code: 500, message: 'backend boom', status: 'INTERNAL' } })),
    ) as GatewayError;
    expect(error).toBeInstanceOf(GatewayError);
    expect(error.code).toBe(ErrorCode.ProviderError);
    expect(error.message).not.toContain('boom');
  });

  it('fails at the end when no finish reason came: a cut stream is not an answer', () => {
    const reader = new GeminiStreamReader(meta());
    expect(reader.read(data(text('Hel')))).toHaveLength(1);
    expect(() => reader.end()).toThrow('stream ended without a finish reason');
  });

  it('sends no usage chunk when Gemini reported no usage', () => {
    const chunks = readAll([data(text('Hi')), data(text('', 'STOP'))]);
    expect(chunks).toHaveLength(2);
    expect(chunks[1].choices[0].finish_reason).toBe('stop');
  });

  it('emits the role on the finish chunk of an empty answer, and ignores usage-only events', () => {
    const reader = new GeminiStreamReader(meta());
    expect(reader.read(data({ usageMetadata: { promptTokenCount: 3 } }))).toEqual([]);
    const [finish] = reader.read(data(text('', 'MAX_TOKENS')));
    expect(finish.choices[0]).toMatchObject({
      delta: { role: 'assistant' },
      finish_reason: 'length',
    });
    expect(reader.end()?.usage).toEqual({
      prompt_tokens: 3,
      completion_tokens: 0,
      total_tokens: 3,
    });
  });

  it('refuses an event that is not JSON', () => {
    const reader = new GeminiStreamReader(meta());
    const error = thrown(() => reader.read({ data: '{"candidates":' }));
    expect(error).toBeInstanceOf(UpstreamHttpError);
    expect((error as UpstreamHttpError).kind).toBe('malformed_response');
  });
});
