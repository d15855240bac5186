import OpenAI, { APIError } from 'openai';
import {
  apiKeyInvalid,
  DEFAULT_GEMINI_TEXT,
  FAKE_GEMINI_API_KEY,
  FakeGeminiServer,
  fakeGeminiEmbedding,
} from '../fakes/fake-gemini.server.js';
import {
  type GatewayUnderTest,
  issueKey,
  postJson,
  readJson,
  readSse,
  startGateway,
} from '../helpers/gateway-harness.js';
import { expectOpenAiShape } from '../helpers/openai-schemas.js';

/** What the fake received, loosely typed for assertions. */
type Sent = Record<string, any>;

/** The gateway's gemini adapter, end to end, against a fake Generative Language API on loopback. */
describe('gemini provider through the gateway', () => {
  const fake = new FakeGeminiServer();
  let gw: GatewayUnderTest;
  let client: OpenAI;
  /** A real gateway key for the SDK: it must authenticate the caller and never reach Google. */
  let callerKey: string;
  const model = 'gemini-2.0-flash';
  const chatUrl = () => `${gw.url}/v1/chat/completions`;
  const hello: { model: string; messages: OpenAI.ChatCompletionMessageParam[] } = {
    model,
    messages: [{ role: 'user', content: 'Hello' }],
  };
  const weatherTool: OpenAI.ChatCompletionTool = {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Current weather in a city',
      parameters: {
        type: 'object',
        properties: { city: { type: 'string' } },
        required: ['city'],
        additionalProperties: false,
      },
    },
  };
  const streamRequest = (extra: object = {}, signal?: AbortSignal) =>
    fetch(chatUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...hello, stream: true, ...extra }),
      signal,
    });
  const sent = (i = -1): Sent => fake.requests.at(i)?.body as Sent;

  /** Every `data:` frame but `[DONE]` is a chunk that must validate against OpenAI's schema. */
  function chunksOf(data: string[]): OpenAI.ChatCompletionChunk[] {
    expect(data[data.length - 1]).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as OpenAI.ChatCompletionChunk);
    chunks.forEach((c) => expectOpenAiShape('CreateChatCompletionStreamResponse', c));
    return chunks;
  }

  /** A stream that failed after the first byte: chunks, then one error frame, no `[DONE]`. */
  function failedStream(data: string[]): { chunks: unknown[]; error: any } {
    expect(data).not.toContain('[DONE]');
    const frames = data.map((d) => JSON.parse(d));
    const error = frames[frames.length - 1];
    expectOpenAiShape('ErrorResponse', error);
    const chunks = frames.slice(0, -1);
    chunks.forEach((c) => expectOpenAiShape('CreateChatCompletionStreamResponse', c));
    return { chunks, error };
  }

  async function sdkError(promise: Promise<unknown>): Promise<APIError> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(error instanceof APIError)) throw new Error(`expected an APIError, got ${String(error)}`);
    expectOpenAiShape('ErrorResponse', { error: error.error });
    return error;
  }

  beforeAll(async () => {
    const { baseUrl } = await fake.start();
    gw = await startGateway({
      singleAttempt: true,
      env: { GEMINI_API_KEY: FAKE_GEMINI_API_KEY, GEMINI_BASE_URL: baseUrl },
      yaml: [
        'gateway:',
        '  upstream:',
        '    request-timeout-ms: 1500',
        '    stream-idle-timeout-ms: 1500',
      ].join('\n'),
    });
    callerKey = await issueKey(gw);
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: callerKey, maxRetries: 0 });
  });
  afterEach(() => fake.reset());
  afterAll(async () => {
    await gw.close();
    await fake.close();
  });

  describe('chat', () => {
    it('answers a plain chat, authenticating upstream with the gateway key only', async () => {
      const { data: completion, response } = await client.chat.completions
        .create({
          model,
          messages: [
            { role: 'system', content: 'Be terse.' },
            { role: 'user', content: 'Hello' },
          ],
          temperature: 0.2,
          max_tokens: 50,
          seed: 7,
        })
        .withResponse();

      expectOpenAiShape('CreateChatCompletionResponse', completion);
      expect(completion.choices[0].message.content).toBe(DEFAULT_GEMINI_TEXT);
      expect(completion.choices[0].finish_reason).toBe('stop');
      expect(completion.usage?.total_tokens).toBeGreaterThan(0);
      expect(response.headers.get('x-gateway-provider')).toBe('gemini');
      const received = fake.lastRequest!;
      expect(received.path).toBe(`/v1beta/models/${model}:generateContent`);
      expect(received.headers['x-goog-api-key']).toBe(FAKE_GEMINI_API_KEY);
      expect(JSON.stringify(received)).not.toContain(callerKey);
      expect(received.body).toEqual({
        systemInstruction: { parts: [{ text: 'Be terse.' }] },
        contents: [{ role: 'user', parts: [{ text: 'Hello' }] }],
        generationConfig: { temperature: 0.2, maxOutputTokens: 50, seed: 7 },
      });
    });

    it('streams through the SDK, showing usage only when asked', async () => {
      let text = '';
      let sawUsage = false;
      for await (const chunk of await client.chat.completions.create({ ...hello, stream: true })) {
        expectOpenAiShape('CreateChatCompletionStreamResponse', chunk);
        text += chunk.choices[0]?.delta?.content ?? '';
        if (chunk.usage) sawUsage = true;
      }
      expect(text).toBe(DEFAULT_GEMINI_TEXT);
      expect(sawUsage).toBe(false);
      expect(fake.lastRequest!.path).toBe(`/v1beta/models/${model}:streamGenerateContent?alt=sse`);

      let usage: OpenAI.CompletionUsage | undefined | null;
      const withUsage = await client.chat.completions.create({
        ...hello,
        stream: true,
        stream_options: { include_usage: true },
      });
      for await (const chunk of withUsage) {
        expectOpenAiShape('CreateChatCompletionStreamResponse', chunk);
        if (chunk.usage) usage = chunk.usage;
      }
      expect(usage?.prompt_tokens).toBeGreaterThan(0);
      expect(usage?.completion_tokens).toBeGreaterThan(0);
    });

    it('turns CRLF events without [DONE], split mid-character, into OpenAI SSE ending in [DONE]', async () => {
      fake.setStreamFormat({ splitWrites: true, keepAliveComments: true });
      const res = await streamRequest();
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      const { raw, data } = await readSse(res);
      const chunks = chunksOf(data);

      expect(raw).not.toContain('\r');
      expect(chunks[0].choices[0].delta.role).toBe('assistant');
      expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(
        DEFAULT_GEMINI_TEXT,
      );
      expect(chunks[chunks.length - 1].choices[0].finish_reason).toBe('stop');
    });
  });

  describe('tools', () => {
    it('round-trips a tool call: call, tool result, answer; the fake gets name and signature', async () => {
      fake.setReply({ functionCalls: [{ name: 'get_weather', args: { city: 'Paris' } }] });
      const question: OpenAI.ChatCompletionMessageParam = {
        role: 'user',
        content: 'Weather in Paris?',
      };
      const first = await client.chat.completions.create({
        model,
        messages: [question],
        tools: [weatherTool],
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
      });
      expectOpenAiShape('CreateChatCompletionResponse', first);
      expect(first.choices[0].finish_reason).toBe('tool_calls');
      const toolCall = first.choices[0].message
        .tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall;
      expect(toolCall.function).toEqual({ name: 'get_weather', arguments: '{"city":"Paris"}' });
      expect(sent()).toMatchObject({
        tools: [
          {
            functionDeclarations: [
              {
                name: 'get_weather',
                parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' } } },
              },
            ],
          },
        ],
        toolConfig: {
          functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] },
        },
      });
      expect(JSON.stringify(sent().tools)).not.toContain('additionalProperties');
      const [signature] = [...fake.signatures];

      fake.setReply({ text: 'It is 18C and sunny in Paris.' });
      const second = await client.chat.completions.create({
        model,
        messages: [
          question,
          first.choices[0].message,
          { role: 'tool', tool_call_id: toolCall.id, content: '{"temp_c":18,"sky":"sunny"}' },
        ],
        tools: [weatherTool],
      });

      expectOpenAiShape('CreateChatCompletionResponse', second);
      expect(second.choices[0].message.content).toBe('It is 18C and sunny in Paris.');
      expect(sent().contents).toEqual([
        { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
        {
          role: 'model',
          parts: [
            {
              functionCall: { name: 'get_weather', args: { city: 'Paris' } },
              thoughtSignature: signature,
            },
          ],
        },
        {
          role: 'user',
          parts: [
            {
              functionResponse: { name: 'get_weather', response: { temp_c: 18, sky: 'sunny' } },
            },
          ],
        },
      ]);
    });

    it('streams tool calls the SDK assembles, and takes them back on the next turn', async () => {
      fake.setReply({
        functionCalls: [
          { name: 'get_weather', args: { city: 'Paris' } },
          { name: 'get_weather', args: { city: 'Rome' } },
        ],
      });
      const messages: OpenAI.ChatCompletionMessageParam[] = [
        { role: 'user', content: 'Weather in Paris and Rome?' },
      ];
      const stream = client.chat.completions.stream({ model, messages, tools: [weatherTool] });
      stream.on('chunk', (chunk) => expectOpenAiShape('CreateChatCompletionStreamResponse', chunk));
      const streamed = await stream.finalChatCompletion();
      const calls = streamed.choices[0].message
        .tool_calls as OpenAI.ChatCompletionMessageFunctionToolCall[];

      expect(streamed.choices[0].finish_reason).toBe('tool_calls');
      expect(calls.map((c) => JSON.parse(c.function.arguments))).toEqual([
        { city: 'Paris' },
        { city: 'Rome' },
      ]);

      fake.setReply({ text: 'Paris 18C, Rome 24C.' });
      const answer = await client.chat.completions.create({
        model,
        messages: [
          ...messages,
          { role: 'assistant', content: null, tool_calls: calls },
          { role: 'tool', tool_call_id: calls[1].id, content: '24C' },
          { role: 'tool', tool_call_id: calls[0].id, content: '18C' },
        ],
        tools: [weatherTool],
      });
      expect(answer.choices[0].message.content).toBe('Paris 18C, Rome 24C.');
      expect(sent().contents[2].parts).toEqual([
        { functionResponse: { name: 'get_weather', response: { result: '24C' } } },
        { functionResponse: { name: 'get_weather', response: { result: '18C' } } },
      ]);
    });

    it('refuses a tool result that answers no earlier call, naming the message', async () => {
      const error = await sdkError(
        client.chat.completions.create({
          model,
          messages: [
            { role: 'user', content: 'Hi' },
            { role: 'tool', tool_call_id: 'call_unknown', content: 'x' },
          ],
        }),
      );
      expect(error.status).toBe(400);
      expect(error.param).toBe('messages[1].tool_call_id');
      expect(fake.requests).toHaveLength(0);
    });
  });

  describe('vision', () => {
    const png =
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
    const withImage = (url: string): OpenAI.ChatCompletionMessageParam[] => [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is in this image?' },
          { type: 'image_url', image_url: { url } },
        ],
      },
    ];

    it('sends a data: URL image as inlineData', async () => {
      const completion = await client.chat.completions.create({
        model,
        messages: withImage(`data:image/png;base64,${png}`),
      });
      expectOpenAiShape('CreateChatCompletionResponse', completion);
      expect(sent().contents[0].parts).toEqual([
        { text: 'What is in this image?' },
        { inlineData: { mimeType: 'image/png', data: png } },
      ]);
    });

    it('refuses an https image URL with a clear 400 while image fetching is off', async () => {
      const error = await sdkError(
        client.chat.completions.create({
          model,
          messages: withImage('https://images.example.com/cat.png'),
        }),
      );
      expect(error.status).toBe(400);
      expect(error.code).toBe('unsupported_capability');
      expect(error.param).toBe('messages[0].content[1].image_url');
      expect(error.message).toContain('image-fetch');
      expect(fake.requests).toHaveLength(0);
    });
  });

  describe('structured output', () => {
    it('asks Gemini for JSON for json_object', async () => {
      fake.setReply({ text: '{"greeting":"hi"}' });
      const completion = await client.chat.completions.create({
        ...hello,
        response_format: { type: 'json_object' },
      });
      expectOpenAiShape('CreateChatCompletionResponse', completion);
      expect(JSON.parse(completion.choices[0].message.content!)).toEqual({ greeting: 'hi' });
      expect(sent().generationConfig).toEqual({ responseMimeType: 'application/json' });
    });

    it('rewrites json_schema into the responseSchema subset, observed at the fake', async () => {
      fake.setReply({ text: '{"city":"Paris","temperature_c":18}' });
      const completion = await client.chat.completions.create({
        ...hello,
        response_format: {
          type: 'json_schema',
          json_schema: {
            name: 'weather',
            strict: true,
            schema: {
              $schema: 'http://json-schema.org/draft-07/schema#',
              type: 'object',
              properties: {
                city: { type: 'string' },
                temperature_c: { type: ['number', 'null'] },
              },
              required: ['city', 'temperature_c'],
              additionalProperties: false,
            },
          },
        },
      });
      expectOpenAiShape('CreateChatCompletionResponse', completion);
      expect(completion.choices[0].finish_reason).toBe('stop');
      expect(JSON.parse(completion.choices[0].message.content!)).toEqual({
        city: 'Paris',
        temperature_c: 18,
      });
      expect(sent().generationConfig).toEqual({
        responseMimeType: 'application/json',
        responseSchema: {
          type: 'OBJECT',
          properties: {
            city: { type: 'STRING' },
            temperature_c: { type: 'NUMBER', nullable: true },
          },
          required: ['city', 'temperature_c'],
          propertyOrdering: ['city', 'temperature_c'],
        },
      });
    });

    it('refuses a schema Gemini cannot express with 400 unsupported_response_format', async () => {
      const res = await postJson(chatUrl(), {
        ...hello,
        response_format: {
          type: 'json_schema',
          json_schema: {
            name: 'tree',
            schema: {
              type: 'object',
              properties: { node: { $ref: '#/$defs/Node' } },
              $defs: {
                Node: {
                  type: 'object',
                  properties: { children: { type: 'array', items: { $ref: '#/$defs/Node' } } },
                },
              },
            },
          },
        },
      });
      expectOpenAiShape('ErrorResponse', res.body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('unsupported_response_format');
      expect(res.body.error.param).toBe('response_format');
      expect(res.body.error.message).toContain('recursive references are not supported');
      expect(fake.requests).toHaveLength(0);
    });
  });

  describe('errors', () => {
    it('maps an upstream 400 to provider_rejected_request without echoing the upstream text', async () => {
      fake.failNext(400, {
        body: {
          error: {
            code: 400,
            message: 'Invalid value at contents[0]: org-internal-secret-123',
            status: 'INVALID_ARGUMENT',
          },
        },
      });
      const error = await sdkError(client.chat.completions.create(hello));
      expect(error.status).toBe(400);
      expect(error.code).toBe('provider_rejected_request');
      expect(JSON.stringify(error.error)).not.toContain('org-internal-secret-123');
    });

    it.each([
      ['401 UNAUTHENTICATED', 401, undefined],
      ["Google's 400 API_KEY_INVALID", 400, apiKeyInvalid()],
    ])(
      'maps a refused upstream credential (%s) to 502 provider_error',
      async (_name, status, body) => {
        fake.failNext(status, { body });
        const error = await sdkError(client.chat.completions.create(hello));
        expect(error.status).toBe(502);
        expect(error.code).toBe('provider_error');
        expect(error.message).toMatch(/credential/i);
        expect(JSON.stringify(error.error)).not.toContain(FAKE_GEMINI_API_KEY);
      },
    );

    it('maps RESOURCE_EXHAUSTED to 429 provider_rate_limited with Retry-After from RetryInfo', async () => {
      fake.failNext(429);
      const error = await sdkError(client.chat.completions.create(hello));
      expect(error.status).toBe(429);
      expect(error.code).toBe('provider_rate_limited');
      expect(error.headers?.get('retry-after')).toBe('35');
    });

    it.each([
      ['500 INTERNAL', 500],
      ['503 UNAVAILABLE (model overloaded)', 503],
    ])('maps %s to 502 provider_error', async (_name, status) => {
      fake.failNext(status);
      const res = await postJson(chatUrl(), hello);
      expectOpenAiShape('ErrorResponse', res.body);
      expect(res.status).toBe(502);
      expect(res.body.error).toMatchObject({ code: 'provider_error', type: 'provider_error' });
    });

    it('refuses a prompt Gemini blocked with 400 saying it was blocked for safety', async () => {
      fake.setReply({ blockReason: 'SAFETY' });
      const res = await postJson(chatUrl(), hello);
      expectOpenAiShape('ErrorResponse', res.body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('provider_rejected_request');
      expect(res.body.error.message).toContain('blocked the prompt for safety reasons');

      const streamed = await streamRequest();
      expect(streamed.status).toBe(400);
      expect((await readJson(streamed)).error.code).toBe('provider_rejected_request');
    });

    it('ends an answer stopped for safety with finish_reason content_filter', async () => {
      fake.setReply({ text: 'Here is', finishReason: 'SAFETY' });
      const completion = await client.chat.completions.create(hello);
      expect(completion.choices[0].finish_reason).toBe('content_filter');

      const { data } = await readSse(await streamRequest());
      const chunks = chunksOf(data);
      expect(chunks[chunks.length - 1].choices[0].finish_reason).toBe('content_filter');
    });

    it('answers an upstream error before the first byte of a stream as an HTTP error', async () => {
      fake.failNext(503);
      const res = await streamRequest();
      expect(res.status).toBe(502);
      const body = await readJson(res);
      expectOpenAiShape('ErrorResponse', body);
      expect(body.error.code).toBe('provider_error');
    });

    it('ends a stream that fails mid-way with one error frame and no [DONE]', async () => {
      fake.streamErrorNext(2);
      const res = await streamRequest();
      expect(res.status).toBe(200);
      const { chunks, error } = failedStream((await readSse(res)).data);
      expect(chunks).toHaveLength(2);
      expect(error.error.code).toBe('provider_error');
      expect(error.error.trace_id).toBe(res.headers.get('x-trace-id'));
      expect(JSON.stringify(error)).not.toContain('internal error has occurred');
    });

    it.each([
      ['ends without a finish reason', () => fake.omitFinishReasonNext()],
      ['is cut off', () => fake.cutStreamNext(2)],
    ])('treats an upstream stream that %s as an error', async (_name, script) => {
      script();
      const { error } = failedStream((await readSse(await streamRequest())).data);
      expect(error.error.code).toBe('provider_error');
    });

    it('aborts the upstream stream when the client disconnects', async () => {
      fake.stallStreamNext(1);
      const controller = new AbortController();
      const res = await streamRequest({}, controller.signal);
      const reader = res.body!.getReader();
      await reader.read();
      controller.abort();
      await fake.waitForClientDisconnects(1);
      expect(fake.clientDisconnects[0].path).toBe(
        `/v1beta/models/${model}:streamGenerateContent?alt=sse`,
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
    it("returns embeddings through the SDK's default base64 path (embedContent for one input)", async () => {
      const result = await client.embeddings.create({
        model: 'gemini-embedding-001',
        input: 'hello',
      });
      expect(fake.lastRequest!.rpc).toBe('embedContent');
      const expected = fakeGeminiEmbedding('hello');
      expect(result.data[0].embedding).toHaveLength(expected.length);
      result.data[0].embedding.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    });

    it('uses batchEmbedContents for several inputs and passes dimensions', async () => {
      const res = await postJson(`${gw.url}/v1/embeddings`, {
        model: 'gemini-embedding-001',
        input: ['alpha', 'beta'],
        dimensions: 3,
        encoding_format: 'float',
      });
      expectOpenAiShape('CreateEmbeddingResponse', res.body);
      expect(fake.lastRequest!.rpc).toBe('batchEmbedContents');
      expect(sent().requests[0]).toMatchObject({ outputDimensionality: 3 });
      expect(res.body.data.map((d: { embedding: number[] }) => d.embedding)).toEqual([
        fakeGeminiEmbedding('alpha', 3),
        fakeGeminiEmbedding('beta', 3),
      ]);
    });

    it('lists the configured Gemini models with their capabilities', async () => {
      const ids: string[] = [];
      for await (const m of client.models.list()) ids.push(m.id);
      expect(ids).toEqual(
        expect.arrayContaining([
          'gemini-2.5-flash',
          'gemini-3-pro-preview',
          'gemini-embedding-001',
        ]),
      );
      expect(ids.filter((id) => id.startsWith('gemini-1.5'))).toEqual([]);
      const res = await fetch(`${gw.url}/v1/models/gemini-2.5-flash`);
      expect((await readJson(res)).capabilities).toMatchObject({
        supports_vision: true,
        supports_tool_calls: true,
        supports_structured_outputs: true,
        supports_json_mode: true,
        max_context_tokens: 1_000_000,
      });
    });
  });
});
