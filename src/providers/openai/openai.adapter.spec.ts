import { ALL_FORWARDED } from '../field-map.js';
import { OPTIONAL_FIELDS } from '../llm-provider.types.js';
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createServer } from 'node:net';
import { lastValueFrom, toArray } from 'rxjs';
import {
  type FakeOpenAiConfigOverrides,
  fakeOpenAiConfig,
} from '../../../test/fakes/fake-openai.config.js';
import { embeddingsBody } from '../../../test/fakes/fake-openai.payloads.js';
import {
  DEFAULT_REPLY_TEXT,
  FAKE_OPENAI_API_KEY,
  FakeOpenAiServer,
  fakeEmbedding,
} from '../../../test/fakes/fake-openai.server.js';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { GatewayConfigModule } from '../../config/gateway-config.module.js';
import { UpstreamHttpClient } from '../http/upstream-http.client.js';
import type { ProviderCall } from '../llm-provider.js';
import type { ChatCompletionRequest } from '../llm-provider.types.js';
import { OpenAiAdapter } from './openai.adapter.js';
import { OPENAI_PROVIDER } from './openai.provider-definition.js';

const request: ChatCompletionRequest = {
  model: 'gpt-4o',
  messages: [{ role: 'user', content: 'Say hello' }],
  temperature: 0.3,
};
const call: ProviderCall = { model: 'gpt-4o-2024-08-06', traceId: 'trace-abc' };

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function failure(promise: Promise<unknown>): Promise<GatewayError> {
  const outcome = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(outcome instanceof GatewayError))
    throw new Error(`expected a GatewayError, got ${String(outcome)}`);
  return outcome;
}

describe(OpenAiAdapter.name, () => {
  const fake = new FakeOpenAiServer();
  let baseUrl: string;
  const clients: UpstreamHttpClient[] = [];

  function adapterWith(overrides: FakeOpenAiConfigOverrides = {}, url = baseUrl): OpenAiAdapter {
    const config = fakeOpenAiConfig(url, overrides);
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

  describe('complete', () => {
    it('returns a completion normalised to OpenAI’s schema', async () => {
      const completion = await adapterWith().complete(request, call);

      expect(completion).toEqual({
        id: expect.stringMatching(/^chatcmpl-/),
        object: 'chat.completion',
        created: expect.any(Number),
        model: 'gpt-4o-2024-08-06',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: DEFAULT_REPLY_TEXT, refusal: null },
            finish_reason: 'stop',
            logprobs: null,
          },
        ],
        usage: {
          prompt_tokens: expect.any(Number),
          completion_tokens: expect.any(Number),
          total_tokens: expect.any(Number),
          prompt_tokens_details: { cached_tokens: 0 },
          completion_tokens_details: { reasoning_tokens: 0 },
        },
        system_fingerprint: 'fp_fake0001',
        service_tier: 'default',
      });
    });

    it('sends the upstream model, the bearer key and only known fields', async () => {
      const withExtras = { ...request, trace_id: 'not-for-openai' } as ChatCompletionRequest;
      await adapterWith().complete(withExtras, call);

      const sent = fake.lastRequest!;
      expect(sent.path).toBe('/v1/chat/completions');
      expect(sent.headers.authorization).toBe(`Bearer ${FAKE_OPENAI_API_KEY}`);
      expect(sent.headers['openai-organization']).toBeUndefined();
      expect(sent.body).toEqual({
        model: 'gpt-4o-2024-08-06',
        messages: [{ role: 'user', content: 'Say hello' }],
        temperature: 0.3,
      });
    });

    it('sends the organization and project headers when configured', async () => {
      await adapterWith({ openai: { organization: 'org-1', project: 'proj-2' } }).complete(
        request,
        call,
      );

      expect(fake.lastRequest!.headers['openai-organization']).toBe('org-1');
      expect(fake.lastRequest!.headers['openai-project']).toBe('proj-2');
    });

    it('returns tool calls and drops a null system_fingerprint', async () => {
      fake.setReply({
        toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }],
        systemFingerprint: null,
      });
      const completion = await adapterWith().complete(request, call);

      expect(completion.choices[0]).toEqual({
        index: 0,
        message: {
          role: 'assistant',
          content: null,
          refusal: null,
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
            },
          ],
        },
        finish_reason: 'tool_calls',
        logprobs: null,
      });
      expect(completion).not.toHaveProperty('system_fingerprint');
    });

    it.each([
      [
        'empty choices',
        { id: 'x', object: 'chat.completion', created: 1, model: 'm', choices: [] },
      ],
      ['a body that is not JSON', '<html>proxy error</html>'],
      ['an empty body', ''],
    ])('turns %s into 502 provider_error', async (_name, body) => {
      fake.failNext(200, { body });
      const error = await failure(adapterWith().complete(request, call));

      expect(error.status).toBe(502);
      expect(error.code).toBe(ErrorCode.ProviderError);
      expect(error.provider).toBe('openai');
      expect(error.message).toContain('malformed');
    });
  });

  describe('upstream errors', () => {
    it('maps 400 to provider_rejected_request without echoing the upstream message', async () => {
      fake.failNext(400);
      const error = await failure(adapterWith().complete(request, call));

      expect(error.status).toBe(400);
      expect(error.code).toBe(ErrorCode.ProviderRejectedRequest);
      expect(error.message).not.toContain('temperature');
      expect(error.provider).toBe('openai');
    });

    it('maps a refused key to 502 naming the credential, without the key', async () => {
      const error = await failure(
        adapterWith({ openai: { apiKey: 'sk-wrong-key-0123456789' } }).complete(request, call),
      );

      expect(error.status).toBe(502);
      expect(error.code).toBe(ErrorCode.ProviderError);
      expect(error.message).toContain("credential for provider 'openai' was refused");
      expect(error.message).not.toContain('sk-wrong');
    });

    it('maps 429 to provider_rate_limited carrying Retry-After', async () => {
      fake.failNext(429, { headers: { 'retry-after': '7' } });
      const error = await failure(adapterWith().complete(request, call));

      expect(error.status).toBe(429);
      expect(error.code).toBe(ErrorCode.ProviderRateLimited);
      expect(error.retryAfterSeconds).toBe(7);
      expect(error.retryable).toBe(true);
    });

    it('does not call an exhausted quota retryable', async () => {
      fake.failNext(429, {
        body: {
          error: {
            message: 'You exceeded your current quota',
            type: 'insufficient_quota',
            param: null,
            code: 'insufficient_quota',
          },
        },
      });
      const error = await failure(adapterWith().complete(request, call));

      expect(error.code).toBe(ErrorCode.ProviderRateLimited);
      expect(error.retryable).toBe(false);
    });

    it('maps 500 to a retryable 502 provider_error', async () => {
      fake.failNext(500);
      const error = await failure(
        adapterWith().embed({ model: 'text-embedding-3-small', input: 'a' }, call),
      );

      expect(error.status).toBe(502);
      expect(error.code).toBe(ErrorCode.ProviderError);
      expect(error.retryable).toBe(true);
    });

    it('reports an upstream that never answers as timed out', async () => {
      fake.hangNext();
      const error = await failure(
        adapterWith({ upstream: { requestTimeoutMs: 200 } }).complete(request, call),
      );

      expect(error.status).toBe(502);
      expect(error.message).toContain('timed out');
      expect(error.retryable).toBe(true);
      await fake.waitForClientDisconnects(1);
    });

    it('reports a closed port as unreachable', async () => {
      const port = await closedPort();
      const adapter = adapterWith({}, `http://127.0.0.1:${port}/v1`);
      const error = await failure(adapter.complete(request, call));

      expect(error.status).toBe(502);
      expect(error.code).toBe(ErrorCode.ProviderError);
      expect(error.message).toContain('unreachable');
    });

    it('cancels the upstream call when the caller aborts', async () => {
      fake.hangNext();
      const controller = new AbortController();
      const pending = failure(
        adapterWith().complete(request, { ...call, signal: controller.signal }),
      );
      await fake.waitForRequests(1);
      controller.abort();

      expect((await pending).message).toContain('cancelled');
      await fake.waitForClientDisconnects(1);
      expect(fake.clientDisconnects).toHaveLength(1);
    });
  });

  describe('embed', () => {
    it('asks for base64 and decodes it exactly, passing dimensions and user', async () => {
      const result = await adapterWith().embed(
        {
          model: 'text-embedding-3-small',
          input: ['alpha', 'beta'],
          dimensions: 16,
          user: 'u-1',
          encoding_format: 'float',
        },
        call,
      );

      expect(fake.lastRequest!.path).toBe('/v1/embeddings');
      expect(fake.lastRequest!.body).toEqual({
        model: 'gpt-4o-2024-08-06',
        input: ['alpha', 'beta'],
        encoding_format: 'base64',
        dimensions: 16,
        user: 'u-1',
      });
      expect(result.data).toEqual([
        { index: 0, embedding: fakeEmbedding('alpha', 16) },
        { index: 1, embedding: fakeEmbedding('beta', 16) },
      ]);
      expect(result.usage.prompt_tokens).toBeGreaterThan(0);
    });

    it('accepts float arrays from an upstream that ignores encoding_format', async () => {
      fake.failNext(200, { body: embeddingsBody(['gamma'], 'text-embedding-3-small', 8, false) });
      const result = await adapterWith().embed(
        { model: 'text-embedding-3-small', input: 'gamma' },
        call,
      );

      expect(result.data[0].embedding).toEqual(fakeEmbedding('gamma'));
      expect(result.model).toBe('text-embedding-3-small');
    });
  });

  it('lists the configured models without calling the upstream', () => {
    expect(adapterWith().listModels()).toEqual([
      { id: 'gpt-4o', ownedBy: 'openai' },
      { id: 'text-embedding-3-small', ownedBy: 'openai' },
    ]);
    expect(fake.requests).toHaveLength(0);
  });

  it('declares OpenAI’s capabilities, per model, with every optional field forwarded', () => {
    const adapter = adapterWith();
    expect(adapter.capabilities('gpt-4o')).toEqual({
      streaming: true,
      vision: true,
      tools: true,
      jsonSchema: 'native',
      jsonObject: 'native',
      embeddings: true,
      maxContextTokens: 128_000,
      fields: ALL_FORWARDED,
    });
    expect(Object.keys(ALL_FORWARDED)).toEqual([...OPTIONAL_FIELDS]);
    expect(adapter.capabilities('gpt-5.2').maxContextTokens).toBe(400_000);
    expect(adapter.capabilities('gpt-5-chat-latest').maxContextTokens).toBe(128_000);
    expect(adapter.capabilities('gpt-4.1-mini').maxContextTokens).toBe(1_047_576);
    expect(adapter.capabilities('o3').maxContextTokens).toBe(200_000);
    expect(adapter.capabilities('o3-mini').vision).toBe(false);
  });

  describe('wiring', () => {
    it('is active only with an API key', () => {
      expect(OPENAI_PROVIDER.isActive(fakeOpenAiConfig(baseUrl))).toBe(true);
      expect(OPENAI_PROVIDER.isActive(fakeOpenAiConfig(baseUrl, { openai: { apiKey: '' } }))).toBe(
        false,
      );
    });

    it("is provided by its definition's module, and its HTTP pool closes with the application", async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [
          GatewayConfigModule.forRoot(fakeOpenAiConfig(baseUrl)),
          (await OPENAI_PROVIDER.load()).module,
        ],
      }).compile();
      await moduleRef.init();
      const adapter = moduleRef.get(OpenAiAdapter);
      const chunks = await lastValueFrom(adapter.chat$(request, call).pipe(toArray()));
      expect(chunks.length).toBeGreaterThan(2);

      await moduleRef.close();
      const error = await failure(adapter.complete(request, call));
      expect(error.code).toBe(ErrorCode.ProviderError);
    });
  });
});
