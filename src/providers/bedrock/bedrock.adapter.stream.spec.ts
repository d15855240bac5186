import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { Observable } from 'rxjs';
import {
  type FakeBedrockConfigOverrides,
  fakeBedrockConfig,
} from '../../../test/fakes/fake-bedrock.config.js';
import { DEFAULT_REPLY_TEXT, FakeBedrockServer } from '../../../test/fakes/fake-bedrock.server.js';
import { ErrorCode } from '../../common/errors/error-code.js';
import type { GatewayError } from '../../common/errors/gateway-error.js';
import { ImageFetcher } from '../http/image-fetcher.js';
import type { ProviderCall } from '../llm-provider.js';
import type { ChatCompletionChunk, ChatCompletionRequest } from '../llm-provider.types.js';
import { BedrockAdapter } from './bedrock.adapter.js';

const MODEL = 'anthropic.claude-3-sonnet-20240229-v1:0';
const request: ChatCompletionRequest = {
  model: `bedrock/${MODEL}`,
  messages: [{ role: 'user', content: 'Say hello' }],
  stream: true,
};
const call: ProviderCall = { model: MODEL, traceId: 'trace-stream' };
const weather = {
  type: 'function' as const,
  function: { name: 'get_weather', parameters: { type: 'object' } },
};

/** Collects a stream: its chunks, and its error if it failed. */
function collect(
  source: Observable<ChatCompletionChunk>,
): Promise<{ chunks: ChatCompletionChunk[]; error?: GatewayError }> {
  const chunks: ChatCompletionChunk[] = [];
  return new Promise((resolve) => {
    source.subscribe({
      next: (chunk) => chunks.push(chunk),
      complete: () => resolve({ chunks }),
      error: (error: GatewayError) => resolve({ chunks, error }),
    });
  });
}

const text = (chunks: ChatCompletionChunk[]) =>
  chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');

describe(`${BedrockAdapter.name} streaming`, () => {
  const fake = new FakeBedrockServer();
  let endpoint: string;
  const cleanup: { onApplicationShutdown(): unknown }[] = [];

  function adapterWith(overrides: FakeBedrockConfigOverrides = {}): BedrockAdapter {
    const config = fakeBedrockConfig(endpoint, overrides);
    const images = new ImageFetcher(config);
    const adapter = new BedrockAdapter(config, images);
    cleanup.push(adapter, images);
    return adapter;
  }

  beforeAll(async () => {
    ({ endpoint } = await fake.start());
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(async () => {
    fake.reset();
    await Promise.all(cleanup.splice(0).map((c) => c.onApplicationShutdown()));
  });

  afterAll(async () => {
    await fake.close();
    jest.restoreAllMocks();
  });

  it('streams chunks with the role first, a finish chunk, then one usage chunk', async () => {
    const { chunks, error } = await collect(adapterWith().chat$(request, call));

    expect(error).toBeUndefined();
    expect(fake.lastRequest?.path).toBe(
      '/model/anthropic.claude-3-sonnet-20240229-v1%3A0/converse-stream',
    );
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(text(chunks)).toBe(DEFAULT_REPLY_TEXT);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks[0].id).toMatch(/^chatcmpl-[0-9a-f-]{36}$/);
    expect(chunks[chunks.length - 2].choices[0].finish_reason).toBe('stop');
    const usage = chunks[chunks.length - 1];
    expect(usage.choices).toEqual([]);
    expect(usage.usage?.total_tokens).toBeGreaterThan(0);
  });

  it('sends no usage chunk when Bedrock reported none', async () => {
    fake.setReply({ usage: null });
    const { chunks } = await collect(adapterWith().chat$(request, call));
    expect(chunks.some((c) => c.choices.length === 0)).toBe(false);
    expect(chunks[chunks.length - 1].choices[0].finish_reason).toBe('stop');
  });

  it('streams tool calls as opener and fragments, whatever the TCP packets', async () => {
    fake.setStreamFormat({ splitWrites: true });
    fake.setReply({
      text: 'Checking.',
      toolUses: [
        { id: 'tooluse_a', name: 'get_weather', input: { city: 'Paris', unit: 'celsius' } },
        { id: 'tooluse_b', name: 'get_weather', input: { city: 'Lyon' } },
      ],
    });
    const { chunks, error } = await collect(
      adapterWith().chat$({ ...request, tools: [weather] }, call),
    );

    expect(error).toBeUndefined();
    const deltas = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(deltas.filter((d) => d.id !== undefined).map((d) => [d.index, d.id])).toEqual([
      [0, 'tooluse_a'],
      [1, 'tooluse_b'],
    ]);
    const args = (index: number) =>
      deltas
        .filter((d) => d.index === index)
        .map((d) => d.function?.arguments ?? '')
        .join('');
    expect(JSON.parse(args(0))).toEqual({ city: 'Paris', unit: 'celsius' });
    expect(JSON.parse(args(1))).toEqual({ city: 'Lyon' });
    expect(text(chunks)).toBe('Checking.');
    expect(chunks[chunks.length - 2].choices[0].finish_reason).toBe('tool_calls');
  });

  it('streams the json_schema answer as content, finished with stop', async () => {
    fake.setReply({
      toolUses: [{ name: 'structured_output', input: { name: 'Ada', born: 1815 } }],
    });
    const { chunks } = await collect(
      adapterWith().chat$(
        {
          ...request,
          response_format: {
            type: 'json_schema',
            json_schema: { name: 'person', schema: { type: 'object' } },
          },
        },
        call,
      ),
    );

    expect(JSON.parse(text(chunks))).toEqual({ name: 'Ada', born: 1815 });
    expect(chunks.every((c) => c.choices[0]?.delta.tool_calls === undefined)).toBe(true);
    expect(chunks[chunks.length - 2].choices[0].finish_reason).toBe('stop');
  });

  it('fails with provider_error after the content sent so far on a mid-stream exception', async () => {
    fake.streamExceptionNext(3, 'modelStreamErrorException');
    const { chunks, error } = await collect(adapterWith().chat$(request, call));

    expect(chunks.length).toBe(2);
    expect(error).toMatchObject({ status: 502, code: ErrorCode.ProviderError, retryable: true });
    expect(error?.message).toContain('ModelStreamErrorException');
    expect(error?.message).not.toContain('token 17');
  });

  it('fails with provider_rate_limited, and no chunk, when throttled before any content', async () => {
    fake.streamExceptionNext(1, 'throttlingException', 'Too many tokens, please wait.');
    const { chunks, error } = await collect(adapterWith().chat$(request, call));

    expect(chunks).toEqual([]);
    expect(error).toMatchObject({ status: 429, code: ErrorCode.ProviderRateLimited });
  });

  it.each([
    ['validationException', 400, ErrorCode.ProviderRejectedRequest],
    ['internalServerException', 502, ErrorCode.ProviderError],
    ['serviceUnavailableException', 502, ErrorCode.ProviderError],
  ])('maps a %s frame', async (type, status, code) => {
    fake.streamExceptionNext(2, type);
    const { error } = await collect(adapterWith().chat$(request, call));
    expect(error).toMatchObject({ status, code });
  });

  it('fails an HTTP error before the stream opens, with no chunk', async () => {
    fake.failNext('ThrottlingException');
    const { chunks, error } = await collect(adapterWith().chat$(request, call));
    expect(chunks).toEqual([]);
    expect(error).toMatchObject({ status: 429, code: ErrorCode.ProviderRateLimited });
  });

  it('treats a stream that ends without messageStop as an error', async () => {
    fake.omitMessageStopNext();
    const { chunks, error } = await collect(adapterWith().chat$(request, call));
    expect(text(chunks)).toBe(DEFAULT_REPLY_TEXT);
    expect(error).toMatchObject({ status: 502, code: ErrorCode.ProviderError });
    expect(error?.message).toMatch(/finish reason/);
  });

  it('cuts a stream that falls silent at the idle timeout, and drops the connection', async () => {
    fake.stallStreamNext(2);
    const { chunks, error } = await collect(
      adapterWith({ upstream: { streamIdleTimeoutMs: 300 } }).chat$(request, call),
    );
    expect(chunks).toHaveLength(1);
    expect(error).toMatchObject({ status: 502, code: ErrorCode.ProviderError, retryable: true });
    expect(error?.message).toMatch(/timed out/);
    await fake.waitForClientDisconnects(1);
  });

  it('aborts the upstream stream on unsubscribe', async () => {
    fake.stallStreamNext(2);
    const subscription = adapterWith()
      .chat$(request, call)
      .subscribe({ error: () => undefined });
    await fake.waitForRequests(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    subscription.unsubscribe();

    await fake.waitForClientDisconnects(1);
    expect(fake.clientDisconnects[0].path).toMatch(/converse-stream$/);
  });

  it('does not touch the upstream before subscription', async () => {
    const stream$ = adapterWith().chat$(request, call);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(fake.requests).toHaveLength(0);
    await collect(stream$);
    expect(fake.requests).toHaveLength(1);
  });

  it('hands the connection back after a complete stream, for the next call', async () => {
    const adapter = adapterWith();
    await collect(adapter.chat$(request, call));
    await collect(adapter.chat$(request, call));
    expect(fake.clientDisconnects).toEqual([]);
    expect(fake.requests[0].remotePort).toBe(fake.requests[1].remotePort);
  });
});
