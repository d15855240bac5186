import OpenAI, { APIError } from 'openai';
import {
  DEFAULT_REPLY_TEXT,
  FAKE_AWS_ACCESS_KEY_ID,
  FAKE_AWS_REGION,
  FAKE_AWS_SECRET_ACCESS_KEY,
  FakeBedrockServer,
  fakeBedrockEmbedding,
  type RecordedBedrockRequest,
} from '../fakes/fake-bedrock.server.js';
import {
  type GatewayUnderTest,
  postJson,
  readJson,
  readSse,
  startGateway,
} from '../helpers/gateway-harness.js';
import { expectOpenAiShape } from '../helpers/openai-schemas.js';

const MODEL_ID = 'anthropic.claude-3-sonnet-20240229-v1:0';
const MODEL = `bedrock/${MODEL_ID}`;
const TITAN = 'bedrock/amazon.titan-embed-text-v2:0';

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Current weather in a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
    },
  },
};

const personSchema = {
  type: 'object',
  properties: { name: { type: 'string' }, born: { type: 'integer' } },
  required: ['name', 'born'],
};

/** The gateway's bedrock adapter, end to end, against a fake Bedrock Runtime on loopback. */
describe('bedrock provider through the gateway', () => {
  const fake = new FakeBedrockServer();
  let gw: GatewayUnderTest;
  let client: OpenAI;
  const chatUrl = () => `${gw.url}/v1/chat/completions`;
  const hello = { model: MODEL, messages: [{ role: 'user' as const, content: 'Hello' }] };
  const bedrockEnv = (endpoint: string, secret = FAKE_AWS_SECRET_ACCESS_KEY) => ({
    BEDROCK_ENABLED: 'true',
    AWS_ACCESS_KEY_ID: FAKE_AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: secret,
    AWS_REGION: FAKE_AWS_REGION,
    BEDROCK_ENDPOINT: endpoint,
  });
  const streamRequest = (extra: object = {}, signal?: AbortSignal) =>
    fetch(chatUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...hello, stream: true, ...extra }),
      signal,
    });
  /** A whole SSE answer: every chunk validated, the error frame (if any) apart. */
  const streamed = async (response: Response) => {
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const { data } = await readSse(response);
    const done = data[data.length - 1] === '[DONE]';
    const frames = (done ? data.slice(0, -1) : data).map(
      (d) => JSON.parse(d) as Record<string, any>,
    );
    const error = frames.find((f) => 'error' in f);
    const chunks = frames.filter((f) => !('error' in f));
    chunks.forEach((c) => expectOpenAiShape('CreateChatCompletionStreamResponse', c));
    if (error) expectOpenAiShape('ErrorResponse', error);
    const content = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
    return { done, chunks, error, content };
  };
  const chatError = async (body: object) => {
    const res = await postJson(chatUrl(), body);
    expectOpenAiShape('ErrorResponse', res.body);
    return res;
  };
  const bodyOf = (request: RecordedBedrockRequest | undefined) =>
    request?.body as Record<string, any>;

  beforeAll(async () => {
    const { endpoint } = await fake.start();
    gw = await startGateway({
      singleAttempt: true,
      env: bedrockEnv(endpoint),
      yaml: [
        'gateway:',
        '  upstream:',
        '    request-timeout-ms: 1500',
        '    stream-idle-timeout-ms: 1500',
      ].join('\n'),
    });
    // Keyless, as the ci profile allows: the gateway signs with its own AWS key either way.
    client = new OpenAI({
      baseURL: `${gw.url}/v1`,
      apiKey: 'unused',
      defaultHeaders: { Authorization: null },
      maxRetries: 0,
    });
  });
  afterEach(() => fake.reset());
  afterAll(async () => {
    await gw.close();
    await fake.close();
  });

  describe('chat', () => {
    it('answers a plain chat, signing the Converse call with the gateway AWS key', async () => {
      const { data: completion, response } = await client.chat.completions
        .create({
          model: MODEL,
          messages: [
            { role: 'system', content: 'Be terse.' },
            { role: 'user', content: 'Hello' },
          ],
          temperature: 0.2,
          max_tokens: 50,
          stop: ['END'],
        })
        .withResponse();

      expectOpenAiShape('CreateChatCompletionResponse', completion);
      expect(completion.choices[0].message.content).toBe(DEFAULT_REPLY_TEXT);
      expect(completion.choices[0].finish_reason).toBe('stop');
      expect(completion.model).toBe(MODEL_ID);
      expect(completion.usage?.total_tokens).toBeGreaterThan(0);
      expect(response.headers.get('x-gateway-provider')).toBe('bedrock');

      const received = fake.lastRequest!;
      expect(received.path).toBe('/model/anthropic.claude-3-sonnet-20240229-v1%3A0/converse');
      expect(received.headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIAFAKEBEDROCK00001\/\d{8}\/us-east-1\/bedrock\/aws4_request, /,
      );
      expect(received.body).toEqual({
        system: [{ text: 'Be terse.' }],
        messages: [{ role: 'user', content: [{ text: 'Hello' }] }],
        inferenceConfig: { maxTokens: 50, temperature: 0.2, stopSequences: ['END'] },
      });
    });

    it('streams through the SDK, with usage only when asked', async () => {
      fake.setStreamFormat({ splitWrites: true });
      const plain = await client.chat.completions.create({ ...hello, stream: true as const });
      let text = '';
      let sawUsage = false;
      for await (const chunk of plain) {
        expectOpenAiShape('CreateChatCompletionStreamResponse', chunk);
        text += chunk.choices[0]?.delta?.content ?? '';
        if (chunk.usage) sawUsage = true;
      }
      expect(text).toBe(DEFAULT_REPLY_TEXT);
      expect(sawUsage).toBe(false);
      expect(fake.lastRequest?.path).toMatch(/\/converse-stream$/);

      const withUsage = await client.chat.completions.create({
        ...hello,
        stream: true,
        stream_options: { include_usage: true },
      });
      let usage: OpenAI.CompletionUsage | undefined;
      for await (const chunk of withUsage) {
        expectOpenAiShape('CreateChatCompletionStreamResponse', chunk);
        if (chunk.usage) usage = chunk.usage;
      }
      expect(usage?.total_tokens).toBe(
        (usage?.prompt_tokens ?? 0) + (usage?.completion_tokens ?? 0),
      );
      expect(usage?.total_tokens).toBeGreaterThan(0);
    });

    it('streams raw SSE: role first, a finish chunk, then [DONE]', async () => {
      const { done, chunks, content } = await streamed(await streamRequest());
      expect(done).toBe(true);
      expect(chunks[0].choices[0].delta.role).toBe('assistant');
      expect(content).toBe(DEFAULT_REPLY_TEXT);
      expect(chunks[chunks.length - 1].choices[0].finish_reason).toBe('stop');
    });

    it('runs a tool call round trip: call, tool result, answer', async () => {
      fake.setReply((request) => {
        const messages = bodyOf(request).messages as { content: Record<string, unknown>[] }[];
        const last = messages[messages.length - 1].content;
        return last.some((block) => 'toolResult' in block)
          ? { text: 'It is 18°C and sunny in Paris.' }
          : { toolUses: [{ id: 'tooluse_w1', name: 'get_weather', input: { city: 'Paris' } }] };
      });
      const question = { role: 'user' as const, content: 'Weather in Paris?' };

      const first = await client.chat.completions.create({
        model: MODEL,
        messages: [question],
        tools: [weatherTool],
        tool_choice: 'auto',
      });
      expectOpenAiShape('CreateChatCompletionResponse', first);
      expect(first.choices[0].finish_reason).toBe('tool_calls');
      const toolCall = first.choices[0].message
        .tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall;
      expect(toolCall).toEqual({
        id: 'tooluse_w1',
        type: 'function',
        function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
      });
      expect(bodyOf(fake.lastRequest).toolConfig).toEqual({
        tools: [
          {
            toolSpec: {
              name: 'get_weather',
              description: 'Current weather in a city',
              inputSchema: { json: weatherTool.function.parameters },
            },
          },
        ],
        toolChoice: { auto: {} },
      });

      const second = await client.chat.completions.create({
        model: MODEL,
        messages: [
          question,
          // Rebuilt rather than passed back whole: the gateway's DTO refuses `refusal: null` here.
          { role: 'assistant', content: null, tool_calls: first.choices[0].message.tool_calls },
          { role: 'tool', tool_call_id: toolCall.id, content: '18C sunny' },
        ],
        tools: [weatherTool],
      });
      expectOpenAiShape('CreateChatCompletionResponse', second);
      expect(second.choices[0].message.content).toBe('It is 18°C and sunny in Paris.');
      expect(second.choices[0].finish_reason).toBe('stop');

      expect(fake.requests).toHaveLength(2);
      expect(bodyOf(fake.requests[1]).messages).toEqual([
        { role: 'user', content: [{ text: 'Weather in Paris?' }] },
        {
          role: 'assistant',
          content: [
            { toolUse: { toolUseId: 'tooluse_w1', name: 'get_weather', input: { city: 'Paris' } } },
          ],
        },
        {
          role: 'user',
          content: [{ toolResult: { toolUseId: 'tooluse_w1', content: [{ text: '18C sunny' }] } }],
        },
      ]);
      expect(bodyOf(fake.requests[1]).toolConfig.tools).toHaveLength(1);
    });

    it('streams tool calls the SDK assembles', async () => {
      fake.setStreamFormat({ splitWrites: true });
      fake.setReply({
        toolUses: [
          { id: 'tooluse_a', name: 'get_weather', input: { city: 'Paris' } },
          { id: 'tooluse_b', name: 'get_weather', input: { city: 'Lyon' } },
        ],
      });
      const stream = client.chat.completions.stream({
        model: MODEL,
        messages: [{ role: 'user', content: 'Weather in Paris and Lyon?' }],
        tools: [weatherTool],
        tool_choice: 'required',
      });
      stream.on('chunk', (chunk) => expectOpenAiShape('CreateChatCompletionStreamResponse', chunk));
      const completion = await stream.finalChatCompletion();

      expect(completion.choices[0].finish_reason).toBe('tool_calls');
      expect(completion.choices[0].message.tool_calls).toEqual([
        {
          id: 'tooluse_a',
          type: 'function',
          function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
        },
        {
          id: 'tooluse_b',
          type: 'function',
          function: { name: 'get_weather', arguments: '{"city":"Lyon"}' },
        },
      ]);
      expect(bodyOf(fake.lastRequest).toolConfig.toolChoice).toEqual({ any: {} });
    });

    it('sends a data: URL image to Bedrock as bytes', async () => {
      const png =
        'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
      const completion = await client.chat.completions.create({
        model: MODEL,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is in this image?' },
              { type: 'image_url', image_url: { url: `data:image/png;base64,${png}` } },
            ],
          },
        ],
      });
      expectOpenAiShape('CreateChatCompletionResponse', completion);
      expect(bodyOf(fake.lastRequest).messages[0].content).toEqual([
        { text: 'What is in this image?' },
        { image: { format: 'png', source: { bytes: png } } },
      ]);
    });

    it('refuses an https image while image fetching is off, without calling Bedrock', async () => {
      const res = await chatError({
        model: MODEL,
        messages: [
          {
            role: 'user',
            content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }],
          },
        ],
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('unsupported_capability');
      expect(res.body.error.param).toBe('messages[0].content[0].image_url');
      expect(fake.requests).toHaveLength(0);
    });

    it('asks for json_object through the system prompt', async () => {
      fake.setReply({ text: '{"greeting":"hello"}' });
      const completion = await client.chat.completions.create({
        ...hello,
        messages: [{ role: 'user', content: 'Greet me in JSON' }],
        response_format: { type: 'json_object' },
      });

      expectOpenAiShape('CreateChatCompletionResponse', completion);
      expect(JSON.parse(completion.choices[0].message.content!)).toEqual({ greeting: 'hello' });
      const system = bodyOf(fake.lastRequest).system as { text: string }[];
      expect(system[system.length - 1].text).toMatch(/JSON object/);
      expect(bodyOf(fake.lastRequest)).not.toHaveProperty('toolConfig');
    });

    it('rewrites json_schema into the forced structured_output tool and returns its input as content', async () => {
      fake.setReply({
        toolUses: [{ name: 'structured_output', input: { name: 'Ada Lovelace', born: 1815 } }],
      });
      const format = {
        type: 'json_schema' as const,
        json_schema: { name: 'person', schema: personSchema, strict: true },
      };
      const completion = await client.chat.completions.create({
        ...hello,
        messages: [{ role: 'user', content: 'Who wrote the first program?' }],
        response_format: format,
      });

      expectOpenAiShape('CreateChatCompletionResponse', completion);
      expect(completion.choices[0].finish_reason).toBe('stop');
      expect(completion.choices[0].message.tool_calls).toBeUndefined();
      expect(JSON.parse(completion.choices[0].message.content!)).toEqual({
        name: 'Ada Lovelace',
        born: 1815,
      });
      expect(bodyOf(fake.lastRequest).toolConfig).toEqual({
        tools: [
          {
            toolSpec: {
              name: 'structured_output',
              description: expect.any(String),
              inputSchema: { json: personSchema },
            },
          },
        ],
        toolChoice: { tool: { name: 'structured_output' } },
      });

      fake.setReply({
        toolUses: [{ name: 'structured_output', input: { name: 'Grace Hopper', born: 1906 } }],
      });
      const { chunks, content } = await streamed(await streamRequest({ response_format: format }));
      expect(JSON.parse(content)).toEqual({ name: 'Grace Hopper', born: 1906 });
      expect(chunks[chunks.length - 1].choices[0].finish_reason).toBe('stop');
      expect(chunks.every((c) => c.choices[0]?.delta?.tool_calls === undefined)).toBe(true);
    });

    it('refuses what Converse cannot honour, naming the field, without calling Bedrock', async () => {
      const res = await chatError({ ...hello, seed: 7 });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'unsupported_capability', param: 'seed' });
      expect(fake.requests).toHaveLength(0);
    });
  });

  describe('errors', () => {
    it('maps a request Bedrock refuses (400 ValidationException) without echoing its text', async () => {
      // The gateway accepts temperature up to 2 (OpenAI's range); Converse stops at 1.
      const res = await chatError({ ...hello, temperature: 1.5 });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('provider_rejected_request');
      expect(JSON.stringify(res.body)).not.toContain('inferenceConfig');
      expect(fake.requests).toHaveLength(1);
    });

    it('maps an unknown model (404 ResourceNotFoundException) to provider_rejected_request', async () => {
      fake.failNext('ResourceNotFoundException');
      const res = await chatError(hello);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('provider_rejected_request');
    });

    it('maps a refused AWS credential (403) to 502 provider_error naming the credential', async () => {
      fake.failNext('UnrecognizedClientException', {
        message: `bad key ${FAKE_AWS_ACCESS_KEY_ID}`,
      });
      const res = await chatError(hello);
      expect(res.status).toBe(502);
      expect(res.body.error.code).toBe('provider_error');
      expect(res.body.error.message).toMatch(/credential/i);
      expect(JSON.stringify(res.body)).not.toContain(FAKE_AWS_ACCESS_KEY_ID);
    });

    it('maps a wrong secret key, refused by the SigV4 check, to 502 credential refused', async () => {
      const wrong = await startGateway({
        singleAttempt: true,
        env: bedrockEnv(fake.endpoint, 'the-wrong-secret-key'),
      });
      try {
        const res = await postJson(`${wrong.url}/v1/chat/completions`, hello);
        expectOpenAiShape('ErrorResponse', res.body);
        expect(res.status).toBe(502);
        expect(res.body.error.message).toMatch(/credential.*InvalidSignatureException/);
        expect(JSON.stringify(res.body)).not.toContain('the-wrong-secret-key');
      } finally {
        await wrong.close();
      }
    });

    it('maps throttling (429 ThrottlingException) to provider_rate_limited', async () => {
      fake.failNext('ThrottlingException');
      const error = await client.chat.completions
        .create(hello as OpenAI.ChatCompletionCreateParamsNonStreaming)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(APIError);
      expect((error as APIError).status).toBe(429);
      expect((error as APIError).code).toBe('provider_rate_limited');
      expect((error as APIError).type).toBe('provider_rate_limited');
    });

    it.each(['InternalServerException', 'ModelTimeoutException'])(
      'maps a Bedrock failure (%s) to 502 provider_error',
      async (name) => {
        fake.failNext(name);
        const res = await chatError(hello);
        expect(res.status).toBe(502);
        expect(res.body.error).toMatchObject({ code: 'provider_error', type: 'provider_error' });
      },
    );

    it.each(['ServiceUnavailableException', 'ModelNotReadyException'])(
      'maps overload (%s) to 502 provider_error, not to a rate limit',
      async (name) => {
        fake.failNext(name);
        const res = await chatError(hello);
        expect(res.status).toBe(502);
        expect(res.body.error.code).toBe('provider_error');
      },
    );

    it('answers an upstream failure before the first byte of a stream as an HTTP error', async () => {
      fake.failNext('ThrottlingException');
      const res = await streamRequest();
      expect(res.status).toBe(429);
      const body = await readJson(res);
      expectOpenAiShape('ErrorResponse', body);
      expect(body.error.code).toBe('provider_rate_limited');
    });

    it('answers a throttling frame that comes before any content as an HTTP 429', async () => {
      fake.streamExceptionNext(1, 'throttlingException');
      const res = await streamRequest();
      expect(res.status).toBe(429);
      expect((await readJson(res)).error.code).toBe('provider_rate_limited');
    });

    it('ends a stream that fails mid-way with one error frame and no [DONE]', async () => {
      fake.streamExceptionNext(3, 'modelStreamErrorException');
      const res = await streamRequest();
      const { done, chunks, error } = await streamed(res);

      expect(done).toBe(false);
      expect(chunks.length).toBeGreaterThan(0);
      expect(error?.error.code).toBe('provider_error');
      expect(error?.error.trace_id).toBe(res.headers.get('x-trace-id'));
      expect(JSON.stringify(error)).not.toContain('token 17');
    });

    it('treats a stream without messageStop as an error, not a success', async () => {
      fake.omitMessageStopNext();
      const { done, error } = await streamed(await streamRequest());
      expect(done).toBe(false);
      expect(error?.error.code).toBe('provider_error');
    });

    it('cuts a hung upstream at the configured timeout with 502 provider_error', async () => {
      fake.hangNext();
      const res = await chatError(hello);
      expect(res.status).toBe(502);
      expect(res.body.error.message).toMatch(/time/i);
      await fake.waitForClientDisconnects(1);
    });
  });

  describe('client disconnect', () => {
    it('aborts the upstream stream when the client disconnects', async () => {
      fake.stallStreamNext(2);
      const controller = new AbortController();
      const res = await streamRequest({}, controller.signal);
      const reader = res.body!.getReader();
      await reader.read();
      controller.abort();

      await fake.waitForClientDisconnects(1);
      expect(fake.clientDisconnects[0].path).toBe(
        '/model/anthropic.claude-3-sonnet-20240229-v1%3A0/converse-stream',
      );
    });

    it('aborts the upstream call when a non-streaming client disconnects', async () => {
      fake.hangNext();
      const controller = new AbortController();
      const pending = fetch(chatUrl(), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(hello),
        signal: controller.signal,
      }).catch(() => undefined);
      await fake.waitForRequests(1);
      controller.abort();
      await pending;

      await fake.waitForClientDisconnects(1);
      expect(fake.clientDisconnects).toHaveLength(1);
    });
  });

  describe('embeddings and models', () => {
    it("returns Titan embeddings through the SDK's default base64 path", async () => {
      const result = await client.embeddings.create({ model: TITAN, input: ['hello', 'world'] });
      const expected = fakeBedrockEmbedding('hello');
      expect(result.data).toHaveLength(2);
      expect(result.data[0].embedding).toHaveLength(expected.length);
      result.data[0].embedding.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
      expect(fake.requests.map((r) => r.path)).toEqual([
        '/model/amazon.titan-embed-text-v2%3A0/invoke',
        '/model/amazon.titan-embed-text-v2%3A0/invoke',
      ]);

      const raw = await postJson(`${gw.url}/v1/embeddings`, {
        model: TITAN,
        input: 'hi',
        dimensions: 256,
      });
      expect(raw.status).toBe(200);
      expectOpenAiShape('CreateEmbeddingResponse', raw.body);
      expect(raw.body.data[0].embedding).toEqual(fakeBedrockEmbedding('hi', 256));
    });

    it('lists the configured Bedrock models with their capabilities', async () => {
      const res = await fetch(`${gw.url}/v1/models`);
      const list = await readJson(res);
      expectOpenAiShape('ListModelsResponse', list);
      const listed = 'bedrock/global.anthropic.claude-sonnet-4-5-20250929-v1:0';
      const ids: string[] = list.data.map((m: { id: string }) => m.id);
      expect(ids).toEqual(expect.arrayContaining([listed]));
      expect(ids.filter((id) => id.includes('claude-3'))).toEqual([]);

      const card = await readJson(await fetch(`${gw.url}/v1/models/${listed}`));
      expect(card.capabilities).toEqual({
        supports_streaming: true,
        supports_vision: true,
        supports_tool_calls: true,
        supports_structured_outputs: true,
        supports_json_mode: true,
        max_context_tokens: 200000,
      });
    });
  });
});
