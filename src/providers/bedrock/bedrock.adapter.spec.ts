import { bedrockFields } from './bedrock-thinking.mapper.js';
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { createServer } from 'node:net';
import {
  type FakeBedrockConfigOverrides,
  fakeBedrockConfig,
} from '../../../test/fakes/fake-bedrock.config.js';
import {
  DEFAULT_REPLY_TEXT,
  FAKE_AWS_ACCESS_KEY_ID,
  FAKE_AWS_SECRET_ACCESS_KEY,
  FakeBedrockServer,
  fakeBedrockEmbedding,
} from '../../../test/fakes/fake-bedrock.server.js';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import type { GatewayConfig } from '../../config/gateway-config.types.js';
import { ImageFetcher } from '../http/image-fetcher.js';
import type { ProviderCall } from '../llm-provider.js';
import type { ChatCompletionRequest } from '../llm-provider.types.js';
import { BedrockAdapter } from './bedrock.adapter.js';
import { BEDROCK_PROVIDER } from './bedrock.provider-definition.js';

const MODEL = 'anthropic.claude-3-sonnet-20240229-v1:0';
const request: ChatCompletionRequest = {
  model: `bedrock/${MODEL}`,
  messages: [
    { role: 'system', content: 'Be terse.' },
    { role: 'user', content: 'Say hello' },
  ],
  temperature: 0.3,
  max_tokens: 100,
};
const call: ProviderCall = { model: MODEL, traceId: 'trace-bedrock' };

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
  if (!(outcome instanceof GatewayError)) {
    throw new Error(`expected a GatewayError, got ${String(outcome)}`);
  }
  return outcome;
}

describe(BedrockAdapter.name, () => {
  const fake = new FakeBedrockServer();
  let endpoint: string;
  const cleanup: { onApplicationShutdown(): unknown }[] = [];

  function adapterWith(overrides: FakeBedrockConfigOverrides = {}, at = endpoint): BedrockAdapter {
    const config = fakeBedrockConfig(at, overrides);
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

  describe('complete', () => {
    it("returns a completion in OpenAI's shape, its id from Bedrock's request id", async () => {
      const completion = await adapterWith().complete(request, call);

      expect(completion).toEqual({
        id: expect.stringMatching(/^chatcmpl-[0-9a-f-]{36}$/),
        object: 'chat.completion',
        created: expect.any(Number),
        model: MODEL,
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
        },
      });
    });

    it('signs with the configured key, encodes the model id and sends only Converse fields', async () => {
      await adapterWith().complete(request, call);

      const sent = fake.lastRequest!;
      expect(sent.path).toBe('/model/anthropic.claude-3-sonnet-20240229-v1%3A0/converse');
      expect(sent.headers.authorization).toContain(`Credential=${FAKE_AWS_ACCESS_KEY_ID}/`);
      expect(sent.headers.authorization).toContain('/us-east-1/bedrock/aws4_request');
      expect(sent.headers['x-amz-security-token']).toBeUndefined();
      expect(sent.body).toEqual({
        system: [{ text: 'Be terse.' }],
        messages: [{ role: 'user', content: [{ text: 'Say hello' }] }],
        inferenceConfig: { maxTokens: 100, temperature: 0.3 },
      });
    });

    it('sends the session token of temporary credentials', async () => {
      const withToken = new FakeBedrockServer({ sessionToken: 'session-token-1' });
      const { endpoint: tokenEndpoint } = await withToken.start();
      try {
        const adapter = adapterWith(
          { bedrock: { sessionToken: 'session-token-1' } },
          tokenEndpoint,
        );
        await adapter.complete(request, call);
        expect(withToken.lastRequest?.headers['x-amz-security-token']).toBe('session-token-1');
      } finally {
        await withToken.close();
      }
    });

    it('reuses one keep-alive connection across calls', async () => {
      const adapter = adapterWith();
      await adapter.complete(request, call);
      await adapter.complete(request, call);
      expect(fake.requests[0].remotePort).toBe(fake.requests[1].remotePort);
    });

    it('returns tool calls', async () => {
      fake.setReply({
        toolUses: [{ id: 'tooluse_1', name: 'get_weather', input: { city: 'Paris' } }],
      });
      const completion = await adapterWith().complete(
        {
          ...request,
          tools: [
            { type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } },
          ],
        },
        call,
      );

      expect(completion.choices[0].finish_reason).toBe('tool_calls');
      expect(completion.choices[0].message.tool_calls).toEqual([
        {
          id: 'tooluse_1',
          type: 'function',
          function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
        },
      ]);
    });

    it('sends a data: image as bytes', async () => {
      await adapterWith().complete(
        {
          ...request,
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: 'What is this?' },
                {
                  type: 'image_url',
                  image_url: { url: 'data:image/jpeg;base64,/9j/4AAQSkZJRg==' },
                },
              ],
            },
          ],
        },
        call,
      );

      expect((fake.lastRequest!.body as { messages: unknown[] }).messages[0]).toEqual({
        role: 'user',
        content: [
          { text: 'What is this?' },
          { image: { format: 'jpeg', source: { bytes: '/9j/4AAQSkZJRg==' } } },
        ],
      });
    });

    it('refuses an https image when image fetching is off, before calling Bedrock', async () => {
      const error = await failure(
        adapterWith().complete(
          {
            ...request,
            messages: [
              {
                role: 'user',
                content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }],
              },
            ],
          },
          call,
        ),
      );

      expect(error).toMatchObject({ status: 400, code: ErrorCode.UnsupportedCapability });
      expect(error.param).toBe('messages[0].content[0].image_url');
      expect(fake.requests).toHaveLength(0);
    });

    it('refuses what Converse cannot honour before calling Bedrock', async () => {
      const error = await failure(adapterWith().complete({ ...request, seed: 42 }, call));
      expect(error).toMatchObject({
        status: 400,
        code: ErrorCode.UnsupportedCapability,
        param: 'seed',
      });
      expect(fake.requests).toHaveLength(0);
    });
  });

  describe('errors', () => {
    it.each([
      ['ThrottlingException', 429, ErrorCode.ProviderRateLimited, true],
      ['ServiceQuotaExceededException', 429, ErrorCode.ProviderRateLimited, false],
      ['ValidationException', 400, ErrorCode.ProviderRejectedRequest, false],
      ['ResourceNotFoundException', 400, ErrorCode.ProviderRejectedRequest, false],
      ['AccessDeniedException', 502, ErrorCode.ProviderError, false],
      ['ModelNotReadyException', 502, ErrorCode.ProviderError, true],
      ['ServiceUnavailableException', 502, ErrorCode.ProviderError, true],
      ['InternalServerException', 502, ErrorCode.ProviderError, true],
      ['ModelTimeoutException', 502, ErrorCode.ProviderError, true],
    ])('maps %s to %d %s', async (name, status, code, retryable) => {
      fake.failNext(name, { message: 'Bedrock says: internal detail 7f3a' });
      const error = await failure(adapterWith().complete(request, call));

      expect(error).toMatchObject({ status, code, retryable, provider: 'bedrock' });
      expect(error.message).toContain(name);
      expect(error.message).not.toContain('internal detail 7f3a');
    });

    it("logs Bedrock's reason under the trace id, with the credentials masked", async () => {
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      warn.mockClear();
      fake.failNext('ValidationException', {
        message: `messages.0 is invalid (key ${FAKE_AWS_ACCESS_KEY_ID}, secret ${FAKE_AWS_SECRET_ACCESS_KEY})`,
      });
      await failure(adapterWith().complete(request, call));

      const logged = warn.mock.calls.map((args) => String(args[0])).join('\n');
      expect(logged).toContain('trace-bedrock');
      expect(logged).toContain('ValidationException (HTTP 400): messages.0 is invalid');
      expect(logged).not.toContain(FAKE_AWS_SECRET_ACCESS_KEY);
      expect(logged).not.toContain(FAKE_AWS_ACCESS_KEY_ID);
    });

    it('maps an exception name it does not know by its status', async () => {
      fake.failNext('TeapotException', { status: 503 });
      const error = await failure(adapterWith().complete(request, call));
      expect(error).toMatchObject({ status: 502, code: ErrorCode.ProviderError, retryable: true });
    });

    it('reports a refused credential without showing the secret', async () => {
      const error = await failure(
        adapterWith({ bedrock: { secretKey: 'not-the-right-secret' } }).complete(request, call),
      );
      expect(error).toMatchObject({ status: 502, code: ErrorCode.ProviderError });
      expect(error.message).toMatch(/credential.*InvalidSignatureException/);
      expect(error.message).not.toContain('not-the-right-secret');
    });

    it('cuts a hung call at the request timeout', async () => {
      fake.hangNext();
      const error = await failure(
        adapterWith({ upstream: { requestTimeoutMs: 300 } }).complete(request, call),
      );
      expect(error).toMatchObject({ status: 502, code: ErrorCode.ProviderError, retryable: true });
      expect(error.message).toMatch(/timed out/);
      await fake.waitForClientDisconnects(1);
    });

    it('cancels the upstream call when the caller aborts', async () => {
      fake.hangNext();
      const controller = new AbortController();
      const pending = failure(
        adapterWith().complete(request, { ...call, signal: controller.signal }),
      );
      await fake.waitForRequests(1);
      controller.abort();

      const error = await pending;
      expect(error.message).toMatch(/cancelled/);
      await fake.waitForClientDisconnects(1);
      expect(fake.clientDisconnects).toHaveLength(1);
    });

    it('reports an unreachable endpoint', async () => {
      const port = await closedPort();
      const error = await failure(
        adapterWith({}, `http://127.0.0.1:${port}`).complete(request, call),
      );
      expect(error).toMatchObject({ status: 502, code: ErrorCode.ProviderError, retryable: true });
      expect(error.message).toMatch(/unreachable/);
    });
  });

  describe('embed', () => {
    it('embeds each input with one Titan InvokeModel call, in order', async () => {
      const titan = 'amazon.titan-embed-text-v2:0';
      const result = await adapterWith().embed(
        { model: `bedrock/${titan}`, input: ['alpha', 'beta'], dimensions: 256 },
        { model: titan, traceId: 't' },
      );

      expect(result.data).toEqual([
        { index: 0, embedding: fakeBedrockEmbedding('alpha', 256) },
        { index: 1, embedding: fakeBedrockEmbedding('beta', 256) },
      ]);
      expect(result.usage.prompt_tokens).toBeGreaterThan(1);
      expect(fake.requests.map((r) => r.body)).toEqual(
        expect.arrayContaining([
          { inputText: 'alpha', dimensions: 256 },
          { inputText: 'beta', dimensions: 256 },
        ]),
      );
      expect(fake.requests[0].path).toBe('/model/amazon.titan-embed-text-v2%3A0/invoke');
    });

    it('refuses a model that is not Titan, before calling Bedrock', async () => {
      const error = await failure(
        adapterWith().embed(
          { model: 'bedrock/cohere.embed-english-v3', input: 'a' },
          { model: 'cohere.embed-english-v3', traceId: 't' },
        ),
      );
      expect(error).toMatchObject({ status: 400, param: 'model' });
      expect(fake.requests).toHaveLength(0);
    });
  });

  describe('registration', () => {
    const withBedrock = (bedrock: Partial<GatewayConfig['providers']['bedrock']>) =>
      fakeBedrockConfig('', { bedrock });

    it('activates only when enabled with both keys', () => {
      expect(BEDROCK_PROVIDER.isActive(withBedrock({}))).toBe(true);
      expect(BEDROCK_PROVIDER.isActive(withBedrock({ enabled: false }))).toBe(false);
      expect(BEDROCK_PROVIDER.isActive(withBedrock({ accessKey: ' ' }))).toBe(false);
      expect(BEDROCK_PROVIDER.isActive(withBedrock({ secretKey: '' }))).toBe(false);
      expect(BEDROCK_PROVIDER.activationHint).toContain('BEDROCK_ENABLED=true');
    });

    it('lists the configured models with the capabilities of the contract', () => {
      const adapter = adapterWith();
      expect(adapter.listModels()).toEqual([
        { id: 'bedrock/anthropic.claude-3-sonnet-20240229-v1:0', ownedBy: 'bedrock' },
        { id: 'bedrock/amazon.titan-embed-text-v2:0', ownedBy: 'bedrock' },
      ]);
      expect(adapter.capabilities(MODEL)).toEqual({
        streaming: true,
        vision: true,
        tools: true,
        jsonSchema: 'emulated',
        jsonObject: 'emulated',
        embeddings: true,
        maxContextTokens: 200_000,
        fields: bedrockFields(MODEL),
      });
    });
  });
});
