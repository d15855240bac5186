import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { lastValueFrom, toArray } from 'rxjs';
import {
  type FakeAnthropicConfigOverrides,
  fakeAnthropicConfig,
} from '../../../test/fakes/fake-anthropic.config.js';
import {
  DEFAULT_REPLY_TEXT,
  FAKE_ANTHROPIC_API_KEY,
  FakeAnthropicServer,
} from '../../../test/fakes/fake-anthropic.server.js';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { GatewayConfigModule } from '../../config/gateway-config.module.js';
import { UpstreamHttpClient } from '../http/upstream-http.client.js';
import type { ProviderCall } from '../llm-provider.js';
import type { ChatCompletionRequest } from '../llm-provider.types.js';
import { AnthropicAdapter } from './anthropic.adapter.js';
import { AnthropicModule } from './anthropic.module.js';
import { ANTHROPIC_PROVIDER } from './anthropic.provider-definition.js';

const request: ChatCompletionRequest = {
  model: 'claude-sonnet-4-6',
  messages: [
    { role: 'system', content: 'Be terse.' },
    { role: 'user', content: 'Say hello' },
  ],
  temperature: 0.3,
};
const call: ProviderCall = { model: 'claude-sonnet-4-6', traceId: 'trace-abc' };

async function failure(promise: Promise<unknown>): Promise<GatewayError> {
  const outcome = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(outcome instanceof GatewayError)) {
    throw new Error(`expected a GatewayError, got ${String(outcome)}`);
  }
  return outcome;
}

describe(AnthropicAdapter.name, () => {
  const fake = new FakeAnthropicServer();
  let baseUrl: string;
  const clients: UpstreamHttpClient[] = [];

  function adapterWith(overrides: FakeAnthropicConfigOverrides = {}, url = baseUrl) {
    const config = fakeAnthropicConfig(url, overrides);
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

  describe('complete', () => {
    it('sends a Messages request with the key, the version and the default max_tokens', async () => {
      fake.setReply({
        usage: { input_tokens: 20, output_tokens: 8, cache_read_input_tokens: 100 },
      });
      const completion = await adapterWith().complete(request, call);

      expect(completion).toMatchObject({
        object: 'chat.completion',
        model: 'claude-sonnet-4-6',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: DEFAULT_REPLY_TEXT, refusal: null },
            finish_reason: 'stop',
            logprobs: null,
          },
        ],
        usage: {
          prompt_tokens: 120,
          completion_tokens: 8,
          total_tokens: 128,
          prompt_tokens_details: { cached_tokens: 100 },
        },
      });
      const received = fake.lastRequest!;
      expect(received.path).toBe('/v1/messages');
      expect(received.headers['x-api-key']).toBe(FAKE_ANTHROPIC_API_KEY);
      expect(received.headers['anthropic-version']).toBe('2023-06-01');
      expect(received.headers.authorization).toBeUndefined();
      expect(received.body).toEqual({
        model: 'claude-sonnet-4-6',
        max_tokens: 1024,
        system: 'Be terse.',
        messages: [{ role: 'user', content: 'Say hello' }],
        temperature: 0.3,
      });
    });

    it('uses the configured version, default max_tokens and a base URL path prefix', async () => {
      const adapter = adapterWith({
        anthropic: { version: '2023-01-01', defaultMaxTokens: 77 },
      });
      await adapter.complete(request, call);
      expect(fake.lastRequest?.headers['anthropic-version']).toBe('2023-01-01');
      expect((fake.lastRequest?.body as { max_tokens: number }).max_tokens).toBe(77);

      const proxied = adapterWith({}, `${baseUrl}/egress/`);
      await failure(proxied.complete(request, call));
      expect(fake.lastRequest?.path).toBe('/egress/v1/messages');
    });

    it('returns tool calls with their JSON arguments', async () => {
      fake.setReply({
        toolUses: [{ id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }],
      });
      const completion = await adapterWith().complete(
        {
          ...request,
          tools: [{ type: 'function', function: { name: 'get_weather' } }],
          tool_choice: 'required',
        },
        call,
      );

      expect(completion.choices[0].finish_reason).toBe('tool_calls');
      expect(completion.choices[0].message.tool_calls).toEqual([
        {
          id: 'toolu_1',
          type: 'function',
          function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
        },
      ]);
      expect((fake.lastRequest?.body as { tool_choice: unknown }).tool_choice).toEqual({
        type: 'any',
      });
    });

    it('answers json_schema with the forced tool’s input as content and finish_reason stop', async () => {
      fake.setReply({
        toolUses: [{ id: 'toolu_s', name: 'structured_output', input: { ok: true } }],
      });
      const completion = await adapterWith().complete(
        {
          ...request,
          response_format: {
            type: 'json_schema',
            json_schema: { name: 'result', schema: { type: 'object', properties: {} } },
          },
        },
        call,
      );

      expect(completion.choices[0]).toMatchObject({
        message: { content: '{"ok":true}' },
        finish_reason: 'stop',
      });
      expect(completion.choices[0].message).not.toHaveProperty('tool_calls');
    });

    it('refuses a temperature above 1 without calling the upstream', async () => {
      const error = await failure(adapterWith().complete({ ...request, temperature: 1.2 }, call));
      expect(error.code).toBe(ErrorCode.UnsupportedCapability);
      expect(error.param).toBe('temperature');
      expect(fake.requests).toHaveLength(0);
    });
  });

  describe('upstream errors', () => {
    it('maps 400 to provider_rejected_request without echoing the upstream message', async () => {
      fake.failNext(400, {
        body: {
          type: 'error',
          error: { type: 'invalid_request_error', message: 'secret-detail-123' },
        },
      });
      const error = await failure(adapterWith().complete(request, call));
      expect(error.code).toBe(ErrorCode.ProviderRejectedRequest);
      expect(error.status).toBe(400);
      expect(error.message).not.toContain('secret-detail-123');
    });

    it('maps a refused key to 502 naming the credential, without the key', async () => {
      const error = await failure(
        adapterWith({ anthropic: { apiKey: 'sk-ant-wrong' } }).complete(request, call),
      );
      expect(error.status).toBe(502);
      expect(error.message).toMatch(/credential/);
      expect(error.message).not.toContain('sk-ant-wrong');
    });

    it('maps 429 to provider_rate_limited carrying Retry-After', async () => {
      fake.failNext(429, { headers: { 'retry-after': '12' } });
      const error = await failure(adapterWith().complete(request, call));
      expect(error.code).toBe(ErrorCode.ProviderRateLimited);
      expect(error.retryAfterSeconds).toBe(12);
      expect(error.retryable).toBe(true);
    });

    it.each([500, 529])('maps %d to a retryable 502 provider_error', async (status) => {
      fake.failNext(status);
      const error = await failure(adapterWith().complete(request, call));
      expect(error.code).toBe(ErrorCode.ProviderError);
      expect(error.status).toBe(502);
      expect(error.retryable).toBe(true);
    });

    it('reports an upstream that never answers as timed out', async () => {
      fake.hangNext();
      const error = await failure(
        adapterWith({ upstream: { requestTimeoutMs: 200 } }).complete(request, call),
      );
      expect(error.code).toBe(ErrorCode.ProviderError);
      expect(error.message).toMatch(/timed out/);
    });

    it('cancels the upstream call when the caller aborts', async () => {
      fake.hangNext();
      const controller = new AbortController();
      const pending = failure(
        adapterWith().complete(request, { ...call, signal: controller.signal }),
      );
      await fake.waitForRequests(1);
      controller.abort();
      await pending;
      await fake.waitForClientDisconnects(1);
      expect(fake.clientDisconnects).toHaveLength(1);
    });
  });

  it('refuses embeddings: Anthropic has none', async () => {
    const error = await failure(adapterWith().embed({ model: 'claude-x', input: 'a' }, call));
    expect(error.code).toBe(ErrorCode.UnsupportedCapability);
    expect(fake.requests).toHaveLength(0);
  });

  it('lists the configured models and declares Anthropic’s capabilities', () => {
    const adapter = adapterWith();
    expect(adapter.listModels()).toEqual([
      { id: 'claude-sonnet-4-5', ownedBy: 'anthropic' },
      { id: 'claude-3-haiku', ownedBy: 'anthropic' },
    ]);
    expect(adapter.capabilities('claude-3-haiku')).toEqual({
      streaming: true,
      vision: true,
      tools: true,
      jsonSchema: 'emulated',
      jsonObject: 'emulated',
      embeddings: false,
      maxContextTokens: 200_000,
      fields: { safety_identifier: { how: 'mapped' } },
    });
    expect(adapter.capabilities('claude-sonnet-4-5').fields).toEqual({
      reasoning_effort: { how: 'mapped' },
      safety_identifier: { how: 'mapped' },
    });
  });

  describe('wiring', () => {
    it('is active only with an API key, and serves claude models unstripped', () => {
      expect(ANTHROPIC_PROVIDER.isActive(fakeAnthropicConfig(baseUrl))).toBe(true);
      expect(
        ANTHROPIC_PROVIDER.isActive(fakeAnthropicConfig(baseUrl, { anthropic: { apiKey: ' ' } })),
      ).toBe(false);
      expect(ANTHROPIC_PROVIDER).toMatchObject({
        id: 'anthropic',
        prefixes: ['claude'],
        stripPrefix: false,
        activationHint: 'ANTHROPIC_API_KEY',
      });
    });

    it('is provided by AnthropicModule, and its HTTP pool closes with the application', async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [GatewayConfigModule.forRoot(fakeAnthropicConfig(baseUrl)), AnthropicModule],
      }).compile();
      await moduleRef.init();
      const adapter = moduleRef.get(AnthropicAdapter);
      const chunks = await lastValueFrom(adapter.chat$(request, call).pipe(toArray()));
      expect(chunks.length).toBeGreaterThan(2);

      await moduleRef.close();
      const error = await failure(adapter.complete(request, call));
      expect(error.code).toBe(ErrorCode.ProviderError);
    });
  });
});
