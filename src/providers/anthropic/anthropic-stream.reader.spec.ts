import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { type SseEvent, SseEventParser } from '../http/sse-event.parser.js';
import { UpstreamHttpError } from '../http/upstream-http.error.js';
import type { ChatCompletionChunk } from '../llm-provider.types.js';
import { AnthropicStreamReader } from './anthropic-stream.reader.js';

const context = { provider: 'anthropic', traceId: 'trace-1' };
const CREATED = 1_760_000_000;

/** A recorded-style stream (wire-formats 3.3), optionally cut into tiny TCP-like pieces. */
function events(name: string, pieceBytes?: number): SseEvent[] {
  const bytes = readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
  const parser = new SseEventParser();
  const out: SseEvent[] = [];
  const step = pieceBytes ?? bytes.length;
  for (let i = 0; i < bytes.length; i += step)
    out.push(...parser.push(bytes.subarray(i, i + step)));
  return [...out, ...parser.end()];
}

/** Reads events the way the adapter does: chunks until message_stop, then the usage chunk. */
function readAll(input: SseEvent[], structuredOutput = false): ChatCompletionChunk[] {
  const reader = new AnthropicStreamReader(context, { structuredOutput, created: CREATED });
  const out: ChatCompletionChunk[] = [];
  for (const event of input) {
    const chunk = reader.read(event);
    if (chunk) out.push(chunk);
    if (reader.done) break;
  }
  const usage = reader.finish();
  if (usage) out.push(usage);
  return out;
}

function failure(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected the reader to fail');
}

const text = (chunks: ChatCompletionChunk[]) =>
  chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');

describe(AnthropicStreamReader.name, () => {
  beforeAll(() => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterAll(() => jest.restoreAllMocks());

  it('turns a text stream into a role chunk, content, a finish chunk and one usage chunk', () => {
    const chunks = readAll(events('stream-text.events.txt'));

    expect(chunks[0]).toEqual({
      id: 'msg_01StReAm7eXt',
      object: 'chat.completion.chunk',
      created: CREATED,
      model: 'claude-sonnet-4-5-20250929',
      choices: [
        {
          index: 0,
          delta: { role: 'assistant', content: '' },
          finish_reason: null,
          logprobs: null,
        },
      ],
    });
    expect(text(chunks)).toBe('Bonjour à tous 👋');
    expect(chunks).toHaveLength(6);
    expect(chunks[4].choices[0]).toEqual({
      index: 0,
      delta: {},
      finish_reason: 'stop',
      logprobs: null,
    });
    expect(chunks[5]).toEqual({
      id: 'msg_01StReAm7eXt',
      object: 'chat.completion.chunk',
      created: CREATED,
      model: 'claude-sonnet-4-5-20250929',
      choices: [],
      usage: {
        prompt_tokens: 25 + 1024,
        completion_tokens: 6,
        total_tokens: 25 + 1024 + 6,
        prompt_tokens_details: { cached_tokens: 1024 },
      },
    });
  });

  it('numbers tool calls by their order among tool calls, not by Anthropic’s block index', () => {
    const chunks = readAll(events('stream-tool-use.events.txt'));
    const deltas = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);

    expect(deltas.filter((d) => d.id !== undefined)).toEqual([
      {
        index: 0,
        id: 'toolu_01A09q90qw90lq917835lq9',
        type: 'function',
        function: { name: 'get_weather', arguments: '' },
      },
      {
        index: 1,
        id: 'toolu_01B7h2k3j4h5g6f7d8s9a0p',
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
    expect(JSON.parse(args(1))).toEqual({ tz: 'Europe/Paris' });
    // Empty input_json_delta fragments are not forwarded: each fragment chunk carries text.
    expect(deltas.every((d) => d.id !== undefined || d.function?.arguments !== '')).toBe(true);
    expect(text(chunks)).toBe('Let me check both.');

    const finish = chunks.find((c) => c.choices[0]?.finish_reason);
    expect(finish?.choices[0].finish_reason).toBe('tool_calls');
    expect(chunks[chunks.length - 1].usage).toEqual({
      prompt_tokens: 672,
      completion_tokens: 89,
      total_tokens: 761,
      prompt_tokens_details: { cached_tokens: 0 },
    });
  });

  it('reads the same stream cut into 7-byte pieces identically', () => {
    expect(readAll(events('stream-tool-use.events.txt', 7))).toEqual(
      readAll(events('stream-tool-use.events.txt')),
    );
  });

  it('streams the structured_output input as content with finish_reason stop', () => {
    const chunks = readAll(events('stream-structured-output.events.txt'), true);

    expect(JSON.parse(text(chunks))).toEqual({ city: 'Paris', temperature_c: 18 });
    expect(chunks.some((c) => c.choices[0]?.delta.tool_calls)).toBe(false);
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0].finish_reason).toBe('stop');
  });

  it('fails with provider_error on an error event, after what came before', () => {
    const reader = new AnthropicStreamReader(context, { structuredOutput: false, created: 1 });
    const seen: ChatCompletionChunk[] = [];
    const error = failure(() => {
      for (const event of events('stream-overloaded.events.txt')) {
        const chunk = reader.read(event);
        if (chunk) seen.push(chunk);
      }
    });

    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe(ErrorCode.ProviderError);
    expect((error as GatewayError).message).not.toContain('Overloaded');
    expect(text(seen)).toBe('Partial');
  });

  it('fails at the end when no stop reason came', () => {
    const cut = events('stream-text.events.txt').filter(
      (e) => e.event !== 'message_delta' && e.event !== 'message_stop',
    );
    expect(failure(() => readAll(cut))).toBeInstanceOf(UpstreamHttpError);
  });

  it('ignores everything after message_stop', () => {
    const reader = new AnthropicStreamReader(context, { structuredOutput: false, created: 1 });
    for (const event of events('stream-text.events.txt')) reader.read(event);
    expect(reader.done).toBe(true);
    expect(
      reader.read({ event: 'content_block_delta', data: '{"type":"content_block_delta"}' }),
    ).toBeUndefined();
  });

  it('refuses events that are not JSON, or content before message_start', () => {
    const reader = () =>
      new AnthropicStreamReader(context, { structuredOutput: false, created: 1 });
    expect(failure(() => reader().read({ event: 'message_start', data: '{oops' }))).toBeInstanceOf(
      UpstreamHttpError,
    );
    expect(
      failure(() =>
        reader().read({
          event: 'content_block_start',
          data: '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}',
        }),
      ),
    ).toBeInstanceOf(UpstreamHttpError);
  });

  it('takes input and cache counts repeated in message_delta as the final totals', () => {
    const start = {
      event: 'message_start',
      data: JSON.stringify({
        type: 'message_start',
        message: { id: 'm', model: 'claude', usage: { input_tokens: 10, output_tokens: 1 } },
      }),
    };
    const delta = {
      event: 'message_delta',
      data: JSON.stringify({
        type: 'message_delta',
        delta: { stop_reason: 'max_tokens' },
        usage: { input_tokens: 10, cache_read_input_tokens: 5, output_tokens: 30 },
      }),
    };
    const chunks = readAll([start, delta]);
    expect(chunks[1].choices[0].finish_reason).toBe('length');
    expect(chunks[2].usage).toEqual({
      prompt_tokens: 15,
      completion_tokens: 30,
      total_tokens: 45,
      prompt_tokens_details: { cached_tokens: 5 },
    });
  });
});
