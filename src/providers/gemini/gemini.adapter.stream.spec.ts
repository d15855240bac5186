import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { lastValueFrom, type Observable, toArray } from 'rxjs';
import {
  type FakeGeminiConfigOverrides,
  fakeGeminiConfig,
} from '../../../test/fakes/fake-gemini.config.js';
import { DEFAULT_GEMINI_TEXT, FakeGeminiServer } from '../../../test/fakes/fake-gemini.server.js';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { ImageFetcher } from '../http/image-fetcher.js';
import { UpstreamHttpClient } from '../http/upstream-http.client.js';
import type { ProviderCall } from '../llm-provider.js';
import type { ChatCompletionChunk, ChatCompletionRequest } from '../llm-provider.types.js';
import { GeminiAdapter } from './gemini.adapter.js';

const MODEL = 'gemini-2.0-flash';
const request: ChatCompletionRequest = {
  model: MODEL,
  messages: [{ role: 'user', content: 'Say hello' }],
  stream: true,
};
const call: ProviderCall = { model: MODEL, traceId: 'trace-abc' };
const STREAM_PATH = `/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`;

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

const textOf = (chunks: ChatCompletionChunk[]) =>
  chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');

describe(`${GeminiAdapter.name} streaming`, () => {
  const fake = new FakeGeminiServer();
  let baseUrl: string;
  const closables: { onApplicationShutdown(): Promise<void> }[] = [];

  function adapterWith(overrides: FakeGeminiConfigOverrides = {}): GeminiAdapter {
    const config = fakeGeminiConfig(baseUrl, overrides);
    const client = new UpstreamHttpClient(config);
    const images = new ImageFetcher(config);
    closables.push(client, images);
    return new GeminiAdapter(config, client, images);
  }

  beforeAll(async () => {
    ({ baseUrl } = await fake.start());
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(async () => {
    fake.reset();
    await Promise.all(closables.splice(0).map((c) => c.onApplicationShutdown()));
  });

  afterAll(async () => {
    await fake.close();
    jest.restoreAllMocks();
  });

  it('streams chunks that end at EOF: role first, text, finish, then the last usage', async () => {
    const chunks = await lastValueFrom(adapterWith().chat$(request, call).pipe(toArray()));

    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(textOf(chunks)).toBe(DEFAULT_GEMINI_TEXT);
    expect(chunks[chunks.length - 2].choices[0].finish_reason).toBe('stop');
    const usage = chunks[chunks.length - 1];
    expect(usage.choices).toEqual([]);
    expect(usage.usage).toMatchObject({ prompt_tokens: expect.any(Number) });
    expect(usage.usage!.completion_tokens).toBeGreaterThan(0);
    for (const chunk of chunks) {
      expect(chunk).toMatchObject({ id: 'chatcmpl-fakeResp1', object: 'chat.completion.chunk' });
    }
  });

  it('is cold, and asks for SSE', async () => {
    const chunks$ = adapterWith().chat$(request, call);
    expect(fake.requests).toHaveLength(0);

    await lastValueFrom(chunks$.pipe(toArray()));
    expect(fake.lastRequest!.path).toBe(STREAM_PATH);
    expect(fake.lastRequest!.headers.accept).toBe('text/event-stream');
    expect(fake.lastRequest!.body).not.toHaveProperty('stream');
  });

  it('reads split writes, data: without space and keep-alive comments on CRLF events', async () => {
    fake.setStreamFormat({ splitWrites: true, noSpaceAfterColon: true, keepAliveComments: true });
    const chunks = await lastValueFrom(adapterWith().chat$(request, call).pipe(toArray()));
    expect(textOf(chunks)).toBe(DEFAULT_GEMINI_TEXT);
    expect(chunks[chunks.length - 1].usage).toBeDefined();
  });

  it('streams whole function calls as openers and arguments, finishing with tool_calls', async () => {
    fake.setReply({
      text: 'Checking.',
      functionCalls: [
        { name: 'get_weather', args: { city: 'Paris' } },
        { name: 'get_weather', args: { city: 'Rome' } },
      ],
    });
    const chunks = await lastValueFrom(adapterWith().chat$(request, call).pipe(toArray()));
    const deltas = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);

    expect(deltas.map((d) => [d.index, d.function?.name, d.function?.arguments])).toEqual([
      [0, 'get_weather', ''],
      [0, undefined, '{"city":"Paris"}'],
      [1, 'get_weather', ''],
      [1, undefined, '{"city":"Rome"}'],
    ]);
    expect(deltas[0].id).toMatch(/^call_[A-Za-z0-9]{16}_s/);
    expect(deltas[2].id).toMatch(/^call_[A-Za-z0-9]{16}$/);
    expect(chunks[chunks.length - 2].choices[0].finish_reason).toBe('tool_calls');
  });

  it('aborts the upstream request when the subscriber unsubscribes', async () => {
    fake.stallStreamNext(1);
    const adapter = adapterWith();
    await new Promise<void>((resolve) => {
      const subscription = adapter.chat$(request, call).subscribe({
        next: () => {
          subscription.unsubscribe();
          resolve();
        },
      });
    });

    await fake.waitForClientDisconnects(1);
    expect(fake.clientDisconnects).toEqual([{ path: STREAM_PATH, chunksSent: 1 }]);
  });

  it('fails before the first chunk when the upstream refuses, with the RetryInfo delay', async () => {
    fake.failNext(429);
    const { chunks, error } = await collect(adapterWith().chat$(request, call));

    expect(chunks).toEqual([]);
    expect(error?.status).toBe(429);
    expect(error?.retryAfterSeconds).toBe(35);
  });

  it('fails before the first chunk when the prompt is blocked', async () => {
    fake.setReply({ blockReason: 'SAFETY' });
    const { chunks, error } = await collect(adapterWith().chat$(request, call));
    expect(chunks).toEqual([]);
    expect(error?.code).toBe(ErrorCode.ProviderRejectedRequest);
  });

  it('errors with provider_error on a mid-stream error event', async () => {
    fake.streamErrorNext(2);
    const { chunks, error } = await collect(adapterWith().chat$(request, call));

    expect(chunks).toHaveLength(2);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error?.code).toBe(ErrorCode.ProviderError);
    expect(error?.message).not.toContain('internal error has occurred');
  });

  it('errors when the connection is cut mid-stream', async () => {
    fake.cutStreamNext(2);
    const { chunks, error } = await collect(adapterWith().chat$(request, call));
    expect(chunks).toHaveLength(2);
    expect(error?.code).toBe(ErrorCode.ProviderError);
  });

  it('errors when the body ends without a finish reason', async () => {
    fake.omitFinishReasonNext();
    const { chunks, error } = await collect(adapterWith().chat$(request, call));
    expect(textOf(chunks)).toBe(DEFAULT_GEMINI_TEXT);
    expect(error?.code).toBe(ErrorCode.ProviderError);
    expect(error?.message).toContain('stream ended without a finish reason');
  });

  it('times out a stream that falls silent', async () => {
    fake.stallStreamNext(2);
    const { chunks, error } = await collect(
      adapterWith({ upstream: { streamIdleTimeoutMs: 200 } }).chat$(request, call),
    );
    expect(chunks).toHaveLength(2);
    expect(error?.message).toContain('timed out');
  });
});
