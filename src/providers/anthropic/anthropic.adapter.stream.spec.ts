import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { Observable } from 'rxjs';
import {
  type FakeAnthropicConfigOverrides,
  fakeAnthropicConfig,
} from '../../../test/fakes/fake-anthropic.config.js';
import {
  DEFAULT_REPLY_TEXT,
  FakeAnthropicServer,
} from '../../../test/fakes/fake-anthropic.server.js';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { UpstreamHttpClient } from '../http/upstream-http.client.js';
import type { ProviderCall } from '../llm-provider.js';
import type { ChatCompletionChunk, ChatCompletionRequest } from '../llm-provider.types.js';
import { AnthropicAdapter } from './anthropic.adapter.js';

const request: ChatCompletionRequest = {
  model: 'claude-sonnet-4-6',
  messages: [{ role: 'user', content: 'Say hello' }],
  stream: true,
};
const call: ProviderCall = { model: 'claude-sonnet-4-6', traceId: 'trace-abc' };

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

describe(`${AnthropicAdapter.name} streaming`, () => {
  const fake = new FakeAnthropicServer();
  let baseUrl: string;
  const clients: UpstreamHttpClient[] = [];

  function adapterWith(overrides: FakeAnthropicConfigOverrides = {}): AnthropicAdapter {
    const config = fakeAnthropicConfig(baseUrl, overrides);
    const client = new UpstreamHttpClient(config);
    clients.push(client);
    return new AnthropicAdapter(config, client);
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

  it('streams a role chunk, the text, a finish chunk and one usage chunk', async () => {
    fake.setReply({
      usage: { input_tokens: 30, output_tokens: 9, cache_creation_input_tokens: 4 },
    });
    const { chunks, error } = await collect(adapterWith().chat$(request, call));

    expect(error).toBeUndefined();
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    expect(text(chunks)).toBe(DEFAULT_REPLY_TEXT);
    expect(chunks[chunks.length - 2].choices[0].finish_reason).toBe('stop');
    expect(chunks[chunks.length - 1]).toMatchObject({
      choices: [],
      usage: {
        prompt_tokens: 34,
        completion_tokens: 9,
        total_tokens: 43,
        prompt_tokens_details: { cached_tokens: 0 },
      },
    });
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect((fake.lastRequest?.body as { stream: boolean }).stream).toBe(true);
  });

  it('is cold: nothing reaches the upstream before subscribing', async () => {
    const stream$ = adapterWith().chat$(request, call);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fake.requests).toHaveLength(0);
    await collect(stream$);
    expect(fake.requests).toHaveLength(1);
  });

  it('numbers streamed tool calls 0 and 1 after thinking and text blocks', async () => {
    fake.setReply({
      thinking: 'Two lookups.',
      text: 'Checking.',
      toolUses: [
        { id: 'toolu_a', name: 'get_weather', input: { city: 'Paris', days: [1, 2] } },
        { id: 'toolu_b', name: 'get_time', input: { tz: 'Europe/Paris' } },
      ],
    });
    const { chunks } = await collect(
      adapterWith().chat$(
        {
          ...request,
          tools: [
            { type: 'function', function: { name: 'get_weather' } },
            { type: 'function', function: { name: 'get_time' } },
          ],
        },
        call,
      ),
    );
    const deltas = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    const args = (index: number) =>
      deltas
        .filter((d) => d.index === index)
        .map((d) => d.function?.arguments ?? '')
        .join('');

    expect(deltas.filter((d) => d.id).map((d) => [d.index, d.id])).toEqual([
      [0, 'toolu_a'],
      [1, 'toolu_b'],
    ]);
    expect(JSON.parse(args(0))).toEqual({ city: 'Paris', days: [1, 2] });
    expect(JSON.parse(args(1))).toEqual({ tz: 'Europe/Paris' });
    expect(text(chunks)).toBe('Checking.');
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0].finish_reason).toBe(
      'tool_calls',
    );
  });

  it('streams a json_schema answer as content deltas ending with finish_reason stop', async () => {
    const answer = { city: 'Paris', temperature_c: 18, tags: ['sunny'] };
    fake.setReply({ toolUses: [{ id: 'toolu_s', name: 'structured_output', input: answer }] });
    const { chunks } = await collect(
      adapterWith().chat$(
        {
          ...request,
          response_format: {
            type: 'json_schema',
            json_schema: { name: 'weather', schema: { type: 'object' } },
          },
        },
        call,
      ),
    );

    expect(JSON.parse(text(chunks))).toEqual(answer);
    expect(chunks.filter((c) => c.choices[0]?.delta.content).length).toBeGreaterThan(3);
    expect(chunks.some((c) => c.choices[0]?.delta.tool_calls)).toBe(false);
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0].finish_reason).toBe('stop');
  });

  it('reads split writes, CRLF, fields without a space and keep-alive comments', async () => {
    fake.setStreamFormat({
      splitWrites: true,
      crlf: true,
      noSpaceAfterColon: true,
      keepAliveComments: true,
    });
    const { chunks, error } = await collect(adapterWith().chat$(request, call));
    expect(error).toBeUndefined();
    expect(text(chunks)).toBe(DEFAULT_REPLY_TEXT);
  });

  it('returns the upstream connection to the pool after message_stop', async () => {
    // The body's closing chunk comes after message_stop, in its own packet.
    fake.setStreamFormat({ endDelayMs: 20 });
    const adapter = adapterWith();
    await collect(adapter.chat$(request, call));
    await new Promise((resolve) => setTimeout(resolve, 80));
    await adapter.complete({ ...request, stream: false }, call);
    const [first, second] = fake.requests;
    expect(second.remotePort).toBe(first.remotePort);
  });

  it('aborts the upstream request when the subscriber unsubscribes', async () => {
    fake.stallStreamNext(3);
    const subscription = adapterWith()
      .chat$(request, call)
      .subscribe({ error: () => undefined });
    await fake.waitForRequests(1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    subscription.unsubscribe();
    await fake.waitForClientDisconnects(1);
    expect(fake.clientDisconnects[0].path).toBe('/v1/messages');
  });

  it('fails before the first chunk when the upstream refuses the stream', async () => {
    fake.failNext(529);
    const { chunks, error } = await collect(adapterWith().chat$(request, call));
    expect(chunks).toHaveLength(0);
    expect(error?.code).toBe(ErrorCode.ProviderError);
    expect(error?.retryable).toBe(true);
  });

  it('refuses a temperature above 1 before any upstream call', async () => {
    const { chunks, error } = await collect(
      adapterWith().chat$({ ...request, temperature: 2 }, call),
    );
    expect(chunks).toHaveLength(0);
    expect(error?.code).toBe(ErrorCode.UnsupportedCapability);
    expect(fake.requests).toHaveLength(0);
  });

  it('errors with provider_error on a mid-stream error event, after the chunks before it', async () => {
    fake.streamErrorNext(5);
    const { chunks, error } = await collect(adapterWith().chat$(request, call));
    expect(chunks.length).toBeGreaterThan(1);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error?.code).toBe(ErrorCode.ProviderError);
    expect(error?.message).not.toContain('Overloaded');
  });

  it('errors when the upstream ends without a stop reason', async () => {
    fake.omitFinishNext();
    const { chunks, error } = await collect(adapterWith().chat$(request, call));
    expect(text(chunks)).toBe(DEFAULT_REPLY_TEXT);
    expect(error?.code).toBe(ErrorCode.ProviderError);
    expect(error?.message).toMatch(/stop reason/);
  });

  it('times out a stream that falls silent', async () => {
    fake.stallStreamNext(2);
    const { error } = await collect(
      adapterWith({ upstream: { streamIdleTimeoutMs: 200 } }).chat$(request, call),
    );
    expect(error?.code).toBe(ErrorCode.ProviderError);
    expect(error?.message).toMatch(/timed out/);
  });
});
