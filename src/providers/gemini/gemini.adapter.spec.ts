import { geminiFields } from './gemini-thinking.mapper.js';
import { MAX_TOOL_CALL_ID_LENGTH } from '../llm-provider.types.js';
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { lastValueFrom, toArray } from 'rxjs';
import {
  type FakeGeminiConfigOverrides,
  fakeGeminiConfig,
} from '../../../test/fakes/fake-gemini.config.js';
import {
  DEFAULT_GEMINI_TEXT,
  FAKE_GEMINI_API_KEY,
  FakeGeminiServer,
  SKIP_SIGNATURE,
} from '../../../test/fakes/fake-gemini.server.js';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { GatewayConfigModule } from '../../config/gateway-config.module.js';
import { ImageFetcher } from '../http/image-fetcher.js';
import { UpstreamHttpClient } from '../http/upstream-http.client.js';
import type { ProviderCall } from '../llm-provider.js';
import type { ChatCompletionRequest, FunctionTool } from '../llm-provider.types.js';
import { GeminiAdapter } from './gemini.adapter.js';
import { GeminiModule } from './gemini.module.js';
import { GEMINI_PROVIDER } from './gemini.provider-definition.js';

const MODEL = 'gemini-2.0-flash';
const request: ChatCompletionRequest = {
  model: MODEL,
  messages: [{ role: 'user', content: 'Say hello' }],
  temperature: 0.3,
};
const call: ProviderCall = { model: MODEL, traceId: 'trace-abc' };
const weather: FunctionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
      additionalProperties: false,
    },
  },
};

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

describe(GeminiAdapter.name, () => {
  const fake = new FakeGeminiServer();
  let baseUrl: string;
  const closables: { onApplicationShutdown(): Promise<void> }[] = [];

  function adapterWith(overrides: FakeGeminiConfigOverrides = {}, url = baseUrl): GeminiAdapter {
    const config = fakeGeminiConfig(url, overrides);
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

  describe('complete', () => {
    it('returns a completion normalised to OpenAI’s schema, usage included', async () => {
      const completion = await adapterWith().complete(request, call);

      expect(completion).toEqual({
        id: 'chatcmpl-fakeResp1',
        object: 'chat.completion',
        created: expect.any(Number),
        model: MODEL,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: DEFAULT_GEMINI_TEXT, refusal: null },
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

    it('calls generateContent with the API key header and only Gemini’s fields', async () => {
      await adapterWith().complete({ ...request, user: 'u-1', stop: ['END'] }, call);

      const sent = fake.lastRequest!;
      expect(sent.path).toBe(`/v1beta/models/${MODEL}:generateContent`);
      expect(sent.headers['x-goog-api-key']).toBe(FAKE_GEMINI_API_KEY);
      expect(sent.headers.authorization).toBeUndefined();
      expect(sent.body).toEqual({
        contents: [{ role: 'user', parts: [{ text: 'Say hello' }] }],
        generationConfig: { temperature: 0.3, stopSequences: ['END'] },
      });
    });

    it('keeps the base URL’s query and keeps the model to one path segment', async () => {
      const adapter = adapterWith({}, `${baseUrl}?tenant=t1`);
      await adapter.complete(request, { ...call, model: 'gemini-x/../../admin?y=1' });

      expect(fake.lastRequest!.path).toBe(
        '/v1beta/models/gemini-x%2F..%2F..%2Fadmin%3Fy%3D1:generateContent?tenant=t1',
      );
    });

    it('carries the thought signature through a tool round trip the fake verifies', async () => {
      fake.setReply({ functionCalls: [{ name: 'get_weather', args: { city: 'Paris' } }] });
      const adapter = adapterWith();
      const ask: ChatCompletionRequest = {
        model: MODEL,
        messages: [{ role: 'user', content: 'Weather in Paris?' }],
        tools: [weather],
        tool_choice: 'required',
      };
      const first = await adapter.complete(ask, call);
      const toolCall = first.choices[0].message.tool_calls![0];
      expect(first.choices[0].finish_reason).toBe('tool_calls');
      expect(toolCall.function).toEqual({ name: 'get_weather', arguments: '{"city":"Paris"}' });
      const [issued] = [...fake.signatures];

      fake.setReply({ text: 'It is 18C in Paris.' });
      const second = await adapter.complete(
        {
          ...ask,
          tool_choice: undefined,
          messages: [
            ...ask.messages,
            { role: 'assistant', content: null, tool_calls: [toolCall] },
            { role: 'tool', tool_call_id: toolCall.id, content: '18C' },
          ],
        },
        call,
      );

      expect(second.choices[0].message.content).toBe('It is 18C in Paris.');
      expect(fake.requests[0].body.toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY' } });
      expect(fake.lastRequest!.body.contents.slice(1)).toEqual([
        {
          role: 'model',
          parts: [
            {
              functionCall: { name: 'get_weather', args: { city: 'Paris' } },
              thoughtSignature: issued,
            },
          ],
        },
        {
          role: 'user',
          parts: [{ functionResponse: { name: 'get_weather', response: { result: '18C' } } }],
        },
      ]);
    });

    it('sends the skip value back for a signature too long to carry in an id', async () => {
      fake.setReply({
        functionCalls: [
          {
            name: 'get_weather',
            args: { city: 'Oslo' },
            thoughtSignature: randomBytes(MAX_TOOL_CALL_ID_LENGTH).toString('base64'),
          },
        ],
      });
      const adapter = adapterWith();
      const ask: ChatCompletionRequest = {
        model: MODEL,
        messages: [{ role: 'user', content: 'Weather in Oslo?' }],
        tools: [weather],
      };
      const toolCall = (await adapter.complete(ask, call)).choices[0].message.tool_calls![0];
      expect(toolCall.id.length).toBeLessThanOrEqual(MAX_TOOL_CALL_ID_LENGTH);

      await adapter.complete(
        {
          ...ask,
          messages: [
            ...ask.messages,
            { role: 'assistant', tool_calls: [toolCall] },
            { role: 'tool', tool_call_id: toolCall.id, content: '{"temp":-3}' },
          ],
        },
        call,
      );
      expect(fake.lastRequest!.body.contents[1].parts[0].thoughtSignature).toBe(SKIP_SIGNATURE);
    });

    it('rewrites a json_schema into responseSchema, observed at the fake', async () => {
      fake.setReply({ text: '{"city":"Paris"}' });
      const completion = await adapterWith().complete(
        {
          ...request,
          response_format: {
            type: 'json_schema',
            json_schema: {
              name: 'city',
              strict: true,
              schema: {
                $schema: 'http://json-schema.org/draft-07/schema#',
                type: 'object',
                properties: { city: { type: 'string' } },
                required: ['city'],
                additionalProperties: false,
              },
            },
          },
        },
        call,
      );
      expect(completion.choices[0].message.content).toBe('{"city":"Paris"}');
      expect(fake.lastRequest!.body.generationConfig).toEqual({
        temperature: 0.3,
        responseMimeType: 'application/json',
        responseSchema: {
          type: 'OBJECT',
          properties: { city: { type: 'STRING' } },
          required: ['city'],
        },
      });
    });

    it('refuses a schema Gemini cannot express without calling it', async () => {
      const error = await failure(
        adapterWith().complete(
          {
            ...request,
            response_format: {
              type: 'json_schema',
              json_schema: {
                name: 'x',
                schema: { type: 'object', properties: { a: { not: {} } } },
              },
            },
          },
          call,
        ),
      );
      expect(error.code).toBe(ErrorCode.UnsupportedResponseFormat);
      expect(error.param).toBe('response_format');
      expect(fake.requests).toHaveLength(0);
    });

    it('refuses a blocked prompt with 400 saying so', async () => {
      fake.setReply({ blockReason: 'SAFETY' });
      const error = await failure(adapterWith().complete(request, call));
      expect(error.status).toBe(400);
      expect(error.code).toBe(ErrorCode.ProviderRejectedRequest);
      expect(error.message).toContain('blocked the prompt for safety reasons');
    });
  });

  describe('upstream errors', () => {
    it('maps a refused key to 502 naming the credential, without the key', async () => {
      const error = await failure(
        adapterWith({ gemini: { apiKey: 'AIzaWrongKey0000' } }).complete(request, call),
      );
      expect(error.status).toBe(502);
      expect(error.code).toBe(ErrorCode.ProviderError);
      expect(error.message).toContain("credential for provider 'gemini' was refused");
      expect(error.message).not.toContain('AIzaWrong');
    });

    it('maps RESOURCE_EXHAUSTED to 429 with the RetryInfo delay', async () => {
      fake.failNext(429);
      const error = await failure(adapterWith().complete(request, call));
      expect(error.status).toBe(429);
      expect(error.code).toBe(ErrorCode.ProviderRateLimited);
      expect(error.retryAfterSeconds).toBe(35);
    });

    it.each([500, 503])('maps %i to a retryable 502 provider_error', async (status) => {
      fake.failNext(status);
      const error = await failure(adapterWith().complete(request, call));
      expect(error.status).toBe(502);
      expect(error.retryable).toBe(true);
    });

    it('reports an upstream that never answers as timed out', async () => {
      fake.hangNext();
      const error = await failure(
        adapterWith({ upstream: { requestTimeoutMs: 200 } }).complete(request, call),
      );
      expect(error.message).toContain('timed out');
      await fake.waitForClientDisconnects(1);
    });

    it('reports a closed port as unreachable', async () => {
      const port = await closedPort();
      const error = await failure(
        adapterWith({}, `http://127.0.0.1:${port}/v1beta`).complete(request, call),
      );
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
    });
  });

  it('lists the configured models without calling the upstream, and declares its capabilities', () => {
    const adapter = adapterWith();
    expect(adapter.listModels()).toEqual([
      { id: 'gemini-2.0-flash', ownedBy: 'google' },
      { id: 'gemini-embedding-001', ownedBy: 'google' },
    ]);
    expect(adapter.capabilities(MODEL)).toEqual({
      streaming: true,
      vision: true,
      tools: true,
      jsonSchema: 'native',
      jsonObject: 'native',
      embeddings: true,
      maxContextTokens: 1_000_000,
      fields: geminiFields(MODEL),
    });
    expect(adapter.capabilities('gemini-2.5-pro').fields).toEqual({
      reasoning_effort: { how: 'mapped' },
      n: { how: 'mapped', stream: false },
    });
    expect(fake.requests).toHaveLength(0);
  });

  describe('wiring', () => {
    it('is active only with an API key, and keeps the gemini prefix', () => {
      expect(GEMINI_PROVIDER.isActive(fakeGeminiConfig(baseUrl))).toBe(true);
      expect(GEMINI_PROVIDER.isActive(fakeGeminiConfig(baseUrl, { gemini: { apiKey: ' ' } }))).toBe(
        false,
      );
      expect(GEMINI_PROVIDER).toMatchObject({ prefixes: ['gemini'], stripPrefix: false });
    });

    it('is provided by GeminiModule, and its pools close with the application', async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [GatewayConfigModule.forRoot(fakeGeminiConfig(baseUrl)), GeminiModule],
      }).compile();
      await moduleRef.init();
      const adapter = moduleRef.get(GeminiAdapter);
      const chunks = await lastValueFrom(adapter.chat$(request, call).pipe(toArray()));
      expect(chunks.length).toBeGreaterThan(2);

      await moduleRef.close();
      expect((await failure(adapter.complete(request, call))).code).toBe(ErrorCode.ProviderError);
    });
  });
});
