import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { SseEventParser, type SseEvent } from '../http/sse-event.parser.js';
import { UpstreamHttpError } from '../http/upstream-http.error.js';
import type { ChatCompletionChunk } from '../llm-provider.types.js';
import { OpenAiCompatibleStreamReader } from './openai-compatible-stream.reader.js';

const context = { provider: 'openai', traceId: 'trace-1' };

function events(name: string): SseEvent[] {
  const bytes = readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
  const parser = new SseEventParser();
  return [...parser.push(bytes), ...parser.end()];
}

/** Reads events the way the adapter does: chunks as they come, then the trailing usage chunk. */
function readAll(input: SseEvent[]): ChatCompletionChunk[] {
  const reader = new OpenAiCompatibleStreamReader(context);
  const out: ChatCompletionChunk[] = [];
  for (const event of input) {
    const chunk = reader.read(event);
    if (chunk) out.push(chunk);
  }
  const usage = reader.finish();
  if (usage) out.push(usage);
  return out;
}

function data(payload: object): SseEvent {
  return { data: JSON.stringify(payload) };
}

const header = { id: 'c1', object: 'chat.completion.chunk', created: 5, model: 'm' };

describe(OpenAiCompatibleStreamReader.name, () => {
  beforeAll(() => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterAll(() => jest.restoreAllMocks());

  it('turns an OpenAI text stream into chunks and one trailing usage chunk', () => {
    const chunks = readAll(events('chat-stream.chunks.txt'));

    expect(chunks).toHaveLength(5);
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '', refusal: null });
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Bonjour à tous 👋');
    expect(chunks[3].choices[0].finish_reason).toBe('stop');
    expect(chunks[4]).toEqual({
      id: 'chatcmpl-S1t2r3e4a5m6',
      object: 'chat.completion.chunk',
      created: 1741570000,
      model: 'gpt-4o-mini-2024-07-18',
      system_fingerprint: 'fp_44709d6fcb',
      service_tier: 'default',
      choices: [],
      usage: {
        prompt_tokens: 9,
        completion_tokens: 4,
        total_tokens: 13,
        prompt_tokens_details: { cached_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0 },
      },
    });
    expect(chunks.slice(0, 4).every((c) => !('usage' in c))).toBe(true);
  });

  it('passes a tool-call stream through, opener first', () => {
    const chunks = readAll(events('chat-tool-stream.chunks.txt'));

    expect(chunks).toHaveLength(4);
    expect(chunks[0].choices[0].delta).toEqual({
      role: 'assistant',
      content: null,
      refusal: null,
      tool_calls: [
        {
          index: 0,
          id: 'call_Ab1',
          type: 'function',
          function: { name: 'get_weather', arguments: '' },
        },
      ],
    });
    const args = chunks.flatMap((c) => c.choices[0].delta.tool_calls ?? []);
    expect(args.map((t) => t.function?.arguments).join('')).toBe('{"city":"Paris"}');
    expect(chunks.every((c) => !('system_fingerprint' in c))).toBe(true);
  });

  it('adds the assistant role to the first chunk when the upstream left it out', () => {
    const chunks = readAll([
      data({ ...header, choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason: null }] }),
      data({ ...header, choices: [{ index: 0, delta: { content: '!' }, finish_reason: 'stop' }] }),
    ]);

    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: 'Hi' });
    expect(chunks[1].choices[0].delta).toEqual({ content: '!' });
  });

  it('moves usage sent on the finish chunk to its own trailing chunk', () => {
    const usage = { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 };
    const chunks = readAll([
      data({
        ...header,
        choices: [{ index: 0, delta: { role: 'assistant', content: 'a' }, finish_reason: 'stop' }],
        usage,
      }),
      { data: '[DONE]' },
    ]);

    expect(chunks).toHaveLength(2);
    expect(chunks[0]).not.toHaveProperty('usage');
    expect(chunks[1]).toMatchObject({ choices: [], usage });
  });

  it('skips choice-less chunks that carry no usage', () => {
    const chunks = readAll([
      data({ ...header, choices: [] }),
      data({ ...header, choices: [{ index: 0, delta: { content: 'a' }, finish_reason: 'stop' }] }),
    ]);
    expect(chunks).toHaveLength(1);
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
  });

  it('ignores anything after [DONE]', () => {
    const reader = new OpenAiCompatibleStreamReader(context);
    reader.read(
      data({ ...header, choices: [{ index: 0, delta: { content: 'a' }, finish_reason: 'stop' }] }),
    );
    reader.read({ data: '[DONE]' });

    expect(reader.done).toBe(true);
    expect(
      reader.read(
        data({
          ...header,
          choices: [{ index: 0, delta: { content: 'late' }, finish_reason: null }],
        }),
      ),
    ).toBeUndefined();
  });

  it.each([
    [
      'a data payload with an error key',
      { data: JSON.stringify({ error: { message: 'boom', type: 'server_error' } }) },
    ],
    ['an error event', { event: 'error', data: JSON.stringify({ message: 'boom' }) }],
  ])('fails with provider_error on %s', (_name, event: SseEvent) => {
    const reader = new OpenAiCompatibleStreamReader(context);
    let thrown: unknown;
    try {
      reader.read(event);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(GatewayError);
    expect((thrown as GatewayError).code).toBe(ErrorCode.ProviderError);
    expect((thrown as GatewayError).message).not.toContain('boom');
  });

  it('refuses an event that is not JSON', () => {
    const reader = new OpenAiCompatibleStreamReader(context);
    expect(() => reader.read({ data: '{"id":' })).toThrow(UpstreamHttpError);
  });

  it('fails at the end when no finish_reason came', () => {
    const reader = new OpenAiCompatibleStreamReader(context);
    reader.read(
      data({ ...header, choices: [{ index: 0, delta: { content: 'a' }, finish_reason: null }] }),
    );
    reader.read({ data: '[DONE]' });
    expect(() => reader.finish()).toThrow('stream ended without a finish reason');
  });
});
