import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { lastValueFrom, type Observable, toArray } from 'rxjs';
import {
  type FakeOpenAiConfigOverrides,
  fakeOpenAiConfig,
} from '../../../test/fakes/fake-openai.config.js';
import { DEFAULT_REPLY_TEXT, FakeOpenAiServer } from '../../../test/fakes/fake-openai.server.js';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { UpstreamHttpClient } from '../http/upstream-http.client.js';
import type { ProviderCall } from '../llm-provider.js';
import type { ChatCompletionChunk, ChatCompletionRequest } from '../llm-provider.types.js';
import { OpenAiAdapter } from './openai.adapter.js';

const request: ChatCompletionRequest = {
  model: 'gpt-4o',
  messages: [{ role: 'user', content: 'Say hello' }],
  temperature: 0.3,
};
const call: ProviderCall = { model: 'gpt-4o-2024-08-06', traceId: 'trace-abc' };

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

describe(`${OpenAiAdapter.name} streaming`, () => {
  const fake = new FakeOpenAiServer();
  let baseUrl: string;
  const clients: UpstreamHttpClient[] = [];

  function adapterWith(overrides: FakeOpenAiConfigOverrides = {}): OpenAiAdapter {
    const config = fakeOpenAiConfig(baseUrl, overrides);
    const client = new UpstreamHttpClient(config);
    clients.push(client);
    return new OpenAiAdapter(config, client);
  }

  beforeAll(async () => {
    ({ baseUrl } = await fake.start());
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(async () => {
    fake.reset();
    await Promise.all(clients.splice(0).map((c) => c.onApplicationShutdown()));
  });

  afterAll(async () => {
    await fake.close();
    jest.restoreAllMocks();
  });

  it('streams normalised chunks, then one usage chunk', async () => {
    fake.setReply({ systemFingerprint: null });
    const chunks = await lastValueFrom(adapterWith().chat$(request, call).pipe(toArray()));

    const first = chunks[0];
    expect(first.choices[0].delta.role).toBe('assistant');
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe(DEFAULT_REPLY_TEXT);

    const usage = chunks[chunks.length - 1];
    expect(usage.choices).toEqual([]);
    expect(usage.usage).toMatchObject({
      prompt_tokens: expect.any(Number),
      total_tokens: expect.any(Number),
    });
    expect(chunks[chunks.length - 2].choices[0].finish_reason).toBe('stop');

    for (const chunk of chunks) {
      expect(chunk.object).toBe('chat.completion.chunk');
      expect(chunk).not.toHaveProperty('obfuscation');
      // OpenAI's own tier is kept: a caller that chose `service_tier` learns which one served it.
      expect(chunk.service_tier).toBe('default');
      expect(chunk).not.toHaveProperty('system_fingerprint');
    }
    expect(chunks.slice(0, -1).every((c) => !('usage' in c))).toBe(true);
  });

  it('always asks the upstream for usage, and is cold', async () => {
    const chunks$ = adapterWith().chat$({ ...request, stream: true }, call);
    expect(fake.requests).toHaveLength(0);

    await lastValueFrom(chunks$.pipe(toArray()));
    expect(fake.lastRequest!.body).toMatchObject({
      model: 'gpt-4o-2024-08-06',
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(fake.lastRequest!.headers.accept).toBe('text/event-stream');
  });

  it('streams tool-call openers and argument fragments', async () => {
    fake.setReply({
      toolCalls: [{ id: 'call_9', name: 'lookup', arguments: '{"q":"weather in Paris"}' }],
    });
    const chunks = await lastValueFrom(adapterWith().chat$(request, call).pipe(toArray()));

    const deltas = chunks.flatMap((c) => c.choices.flatMap((ch) => ch.delta.tool_calls ?? []));
    expect(deltas[0]).toEqual({
      index: 0,
      id: 'call_9',
      type: 'function',
      function: { name: 'lookup', arguments: '' },
    });
    expect(deltas.map((d) => d.function?.arguments ?? '').join('')).toBe(
      '{"q":"weather in Paris"}',
    );
    expect(chunks[chunks.length - 2].choices[0].finish_reason).toBe('tool_calls');
  });

  it('reads split writes, CRLF, data: without space and keep-alive comments', async () => {
    fake.setStreamFormat({
      splitWrites: true,
      crlf: true,
      noSpaceAfterColon: true,
      keepAliveComments: true,
    });
    const chunks = await lastValueFrom(adapterWith().chat$(request, call).pipe(toArray()));

    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(DEFAULT_REPLY_TEXT);
    expect(chunks[chunks.length - 1].usage).toBeDefined();
  });

  it('still answers when the upstream is slow to send headers', async () => {
    fake.delayNext(50);
    const { chunks, error } = await collect(adapterWith().chat$(request, call));
    expect(error).toBeUndefined();
    expect(chunks.length).toBeGreaterThan(2);
  });

  it('returns the upstream connection to the pool after [DONE]', async () => {
    // The body's closing chunk comes after [DONE], in its own packet.
    fake.setStreamFormat({ endDelayMs: 20 });
    const adapter = adapterWith();
    await lastValueFrom(adapter.chat$(request, call).pipe(toArray()));
    await new Promise((resolve) => setTimeout(resolve, 80));
    await adapter.complete(request, call);

    const [streamed, next] = fake.requests;
    expect(next.remotePort).toBe(streamed.remotePort);
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
    expect(fake.clientDisconnects).toEqual([{ path: '/v1/chat/completions', chunksSent: 1 }]);
  });

  it('fails before the first chunk when the upstream refuses the stream', async () => {
    fake.failNext(429, { headers: { 'retry-after-ms': '1500' } });
    const { chunks, error } = await collect(adapterWith().chat$(request, call));

    expect(chunks).toEqual([]);
    expect(error?.status).toBe(429);
    expect(error?.retryAfterSeconds).toBe(2);
  });

  it('errors with provider_error on a mid-stream error frame', async () => {
    fake.streamErrorNext(2);
    const { chunks, error } = await collect(adapterWith().chat$(request, call));

    expect(chunks).toHaveLength(2);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error?.code).toBe(ErrorCode.ProviderError);
    expect(error?.message).not.toContain('Sorry about that');
  });

  it.each([
    ['the body just ends', false],
    ['[DONE] comes anyway', true],
  ])('errors when no finish_reason arrives and %s', async (_name, sendDone) => {
    fake.omitFinishReasonNext({ sendDone });
    const { chunks, error } = await collect(adapterWith().chat$(request, call));

    expect(chunks.length).toBeGreaterThan(0);
    expect(error?.code).toBe(ErrorCode.ProviderError);
    expect(error?.message).toContain('stream ended without a finish reason');
  });

  it('times out a stream that falls silent', async () => {
    fake.stallStreamNext(2);
    const adapter = adapterWith({ upstream: { streamIdleTimeoutMs: 200 } });
    const { chunks, error } = await collect(adapter.chat$(request, call));

    expect(chunks).toHaveLength(2);
    expect(error?.status).toBe(502);
    expect(error?.message).toContain('timed out');
  });
});
