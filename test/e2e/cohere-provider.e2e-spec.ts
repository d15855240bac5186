import OpenAI, { APIError } from 'openai';
import {
  DEFAULT_COHERE_REPLY_TEXT,
  FAKE_COHERE_API_KEY,
  FakeCohereServer,
  fakeCohereEmbedding,
} from '../fakes/fake-cohere.server.js';
import {
  type GatewayUnderTest,
  postJson,
  readJson,
  readSse,
  startGateway,
  issueKey,
} from '../helpers/gateway-harness.js';
import { expectOpenAiShape } from '../helpers/openai-schemas.js';

/** The gateway's cohere adapter, end to end, against a fake Cohere v2 upstream on loopback. */
describe('cohere provider through the gateway', () => {
  const fake = new FakeCohereServer();
  let gw: GatewayUnderTest;
  let client: OpenAI;
  /** A real key of this gateway: it must never reach the upstream. */
  let callerKey = '';
  const chatUrl = () => `${gw.url}/v1/chat/completions`;
  const model = 'command-r-plus';
  const hello = { model, messages: [{ role: 'user' as const, content: 'Hello' }] };
  const weatherTool: OpenAI.ChatCompletionTool = {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Current weather in a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } } },
    },
  };
  const clockTool: OpenAI.ChatCompletionTool = {
    type: 'function',
    function: { name: 'get_time', parameters: { type: 'object', properties: {} } },
  };
  const streamRequest = (extra: object = {}, signal?: AbortSignal) =>
    fetch(chatUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...hello, stream: true, ...extra }),
      signal,
    });

  /** Every `data:` frame but `[DONE]` is a chunk that must validate against OpenAI's schema. */
  function chunksOf(data: string[]): OpenAI.ChatCompletionChunk[] {
    expect(data[data.length - 1]).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as OpenAI.ChatCompletionChunk);
    for (const chunk of chunks) expectOpenAiShape('CreateChatCompletionStreamResponse', chunk);
    return chunks;
  }

  function received(index = -1): Record<string, unknown> {
    const request = fake.requests.at(index);
    if (request === undefined) throw new Error('the fake received no request');
    return request.body as Record<string, unknown>;
  }

  async function expectError(
    response: { status: number; body: unknown },
    status: number,
    code: string,
  ): Promise<{ message: string; code: string }> {
    expect(response.status).toBe(status);
    expectOpenAiShape('ErrorResponse', response.body);
    const error = (response.body as { error: { message: string; code: string } }).error;
    expect(error.code).toBe(code);
    return Promise.resolve(error);
  }

  beforeAll(async () => {
    const { baseUrl } = await fake.start();
    gw = await startGateway({
      singleAttempt: true,
      env: { COHERE_API_KEY: FAKE_COHERE_API_KEY, COHERE_BASE_URL: baseUrl },
      yaml: [
        'gateway:',
        '  upstream:',
        '    request-timeout-ms: 1500',
        '    stream-idle-timeout-ms: 1500',
      ].join('\n'),
    });
    client = new OpenAI({
      baseURL: `${gw.url}/v1`,
      apiKey: (callerKey = await issueKey(gw)),
      maxRetries: 0,
    });
  });
  afterEach(() => fake.reset());
  afterAll(async () => {
    await gw.close();
    await fake.close();
  });

  it('answers a plain chat, translating the request for Cohere with the gateway key only', async () => {
    fake.setReply({ usage: { inputTokens: 21, outputTokens: 9 }, cachedTokens: 16 });
    const completion = await client.chat.completions.create({
      model,
      messages: [
        { role: 'developer', content: 'Be terse.' },
        { role: 'user', content: 'Hello' },
      ],
      temperature: 0.2,
      top_p: 1,
      max_tokens: 50,
      stop: 'END',
      seed: 3,
      user: 'end-user-1',
    });
    expectOpenAiShape('CreateChatCompletionResponse', completion);

    expect(completion.model).toBe(model);
    expect(completion.choices[0].message.content).toBe(DEFAULT_COHERE_REPLY_TEXT);
    expect(completion.choices[0].finish_reason).toBe('stop');
    expect(completion.usage).toEqual({
      prompt_tokens: 21,
      completion_tokens: 9,
      total_tokens: 30,
      prompt_tokens_details: { cached_tokens: 16 },
    });
    const request = fake.lastRequest!;
    expect(request.path).toBe('/v2/chat');
    expect(request.headers.authorization).toBe(`Bearer ${FAKE_COHERE_API_KEY}`);
    expect(JSON.stringify(request.headers)).not.toContain(callerKey);
    expect(request.body).toEqual({
      model,
      messages: [
        { role: 'system', content: 'Be terse.' },
        { role: 'user', content: 'Hello' },
      ],
      stream: false,
      temperature: 0.2,
      p: 0.99,
      max_tokens: 50,
      stop_sequences: ['END'],
      seed: 3,
    });
  });

  it('leaves usage out when Cohere reports none, rather than inventing zeros', async () => {
    fake.setReply({ usage: null });
    const res = await postJson(chatUrl(), hello);
    expect(res.status).toBe(200);
    expectOpenAiShape('CreateChatCompletionResponse', res.body);
    expect(res.body.choices[0].message.content).toBe(DEFAULT_COHERE_REPLY_TEXT);
    expect(res.body).not.toHaveProperty('usage');
  });

  it('streams through the SDK, with usage only when asked', async () => {
    const plain = await client.chat.completions.create({ ...hello, stream: true });
    let text = '';
    let sawUsage = false;
    for await (const chunk of plain) {
      expectOpenAiShape('CreateChatCompletionStreamResponse', chunk);
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) sawUsage = true;
    }
    expect(text).toBe(DEFAULT_COHERE_REPLY_TEXT);
    expect(sawUsage).toBe(false);
    expect(received()).toMatchObject({ stream: true });

    fake.setReply({ usage: { inputTokens: 12, outputTokens: 5 } });
    const { data } = await readSse(
      await streamRequest({ stream_options: { include_usage: true } }),
    );
    const chunks = chunksOf(data);
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(chunks[chunks.length - 2].choices[0].finish_reason).toBe('stop');
    expect(chunks[chunks.length - 1]).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 },
    });
  });

  it('keeps the text intact across split writes, CRLF, data: without space and keep-alives', async () => {
    fake.setStreamFormat({
      splitWrites: true,
      crlf: true,
      noSpaceAfterColon: true,
      keepAliveComments: true,
    });
    fake.setReply({ thinking: 'They greet; greet back.' });
    const { data } = await readSse(await streamRequest());
    const text = chunksOf(data)
      .map((c) => c.choices[0]?.delta?.content ?? '')
      .join('');
    expect(text).toBe(DEFAULT_COHERE_REPLY_TEXT);
  });

  describe('tool calls', () => {
    const toolCall = { id: 'get_weather_x1', name: 'get_weather', arguments: '{"city":"Paris"}' };
    const question = { role: 'user' as const, content: 'Weather in Paris?' };

    it('round-trips a call, its result and the answer', async () => {
      fake.setReply((request) =>
        (request.body as { messages: { role: string }[] }).messages.some((m) => m.role === 'tool')
          ? { content: 'It is 18C and sunny in Paris.' }
          : { toolCalls: [toolCall], toolPlan: 'I will look up the weather.' },
      );
      const first = await client.chat.completions.create({
        model,
        messages: [question],
        tools: [weatherTool],
        tool_choice: 'required',
      });
      expectOpenAiShape('CreateChatCompletionResponse', first);
      const message = first.choices[0].message;
      expect(first.choices[0].finish_reason).toBe('tool_calls');
      expect(message.tool_calls).toEqual([
        {
          id: 'get_weather_x1',
          type: 'function',
          function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
        },
      ]);
      expect(message.content).toBe('I will look up the weather.');
      expect(received()).toMatchObject({ tool_choice: 'REQUIRED' });

      const second = await client.chat.completions.create({
        model,
        tools: [weatherTool],
        messages: [
          question,
          // As SDK users do: the message exactly as the gateway returned it.
          message,
          { role: 'tool', tool_call_id: 'get_weather_x1', content: '18C, sunny' },
        ],
      });
      expectOpenAiShape('CreateChatCompletionResponse', second);
      expect(second.choices[0].message.content).toBe('It is 18C and sunny in Paris.');
      expect(second.choices[0].finish_reason).toBe('stop');
      const body = received();
      expect(body.messages).toEqual([
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          tool_plan: 'I will look up the weather.',
          tool_calls: [
            {
              id: 'get_weather_x1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'get_weather_x1', content: '18C, sunny' },
      ]);
      expect(body).not.toHaveProperty('tool_choice');
    });

    it('streams parallel tool calls the SDK assembles with the right indexes', async () => {
      const calls = [
        toolCall,
        { id: 'get_time_y2', name: 'get_time', arguments: '{"zone":"Europe/Paris"}' },
      ];
      fake.setReply({ toolCalls: calls });
      const stream = client.chat.completions.stream({
        model,
        messages: [question],
        tools: [weatherTool, clockTool],
      });
      stream.on('chunk', (chunk) => expectOpenAiShape('CreateChatCompletionStreamResponse', chunk));
      const completion = await stream.finalChatCompletion();

      expect(completion.choices[0].finish_reason).toBe('tool_calls');
      expect(completion.choices[0].message.tool_calls).toEqual(
        calls.map((c) => ({
          id: c.id,
          type: 'function',
          function: { name: c.name, arguments: c.arguments },
        })),
      );
    });

    it('offers only the named function, required, for a named tool_choice', async () => {
      fake.setReply({ toolCalls: [toolCall] });
      await client.chat.completions.create({
        model,
        messages: [question],
        tools: [clockTool, weatherTool],
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
      });
      const body = received();
      expect(body.tool_choice).toBe('REQUIRED');
      expect((body.tools as { function: { name: string } }[]).map((t) => t.function.name)).toEqual([
        'get_weather',
      ]);
    });

    it('sends tool_choice none as NONE', async () => {
      await client.chat.completions.create({
        model,
        messages: [question],
        tools: [weatherTool],
        tool_choice: 'none',
      });
      expect(received()).toMatchObject({ tool_choice: 'NONE' });
    });
  });

  describe('refused before dispatch (capability matrix: no vision, no response formats)', () => {
    it('refuses an image with unsupported_capability', async () => {
      const res = await postJson(chatUrl(), {
        model,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is this?' },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            ],
          },
        ],
      });
      const error = await expectError(res, 400, 'unsupported_capability');
      expect(error.message).toMatch(/cohere/);
      expect(fake.requests).toHaveLength(0);
    });

    it.each([
      [{ type: 'json_object' }],
      [{ type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' } } }],
    ])('refuses response_format %j with unsupported_response_format', async (format) => {
      const res = await postJson(chatUrl(), { ...hello, response_format: format });
      await expectError(res, 400, 'unsupported_response_format');
      expect(fake.requests).toHaveLength(0);
    });

    it('refuses parallel_tool_calls false, which Cohere cannot honour', async () => {
      const res = await postJson(chatUrl(), {
        ...hello,
        tools: [weatherTool],
        parallel_tool_calls: false,
      });
      await expectError(res, 400, 'unsupported_capability');
      expect(fake.requests).toHaveLength(0);
    });
  });

  describe('upstream errors', () => {
    it('maps a 400 to provider_rejected_request without echoing Cohere', async () => {
      fake.failNext(400, { body: { message: 'invalid request: secret detail org-internal-123' } });
      const error = await expectError(
        await postJson(chatUrl(), hello),
        400,
        'provider_rejected_request',
      );
      expect(JSON.stringify(error)).not.toContain('org-internal-123');
    });

    it.each([401, 498])('maps a refused credential (%d) to 502 provider_error', async (status) => {
      fake.failNext(status);
      const error = await expectError(await postJson(chatUrl(), hello), 502, 'provider_error');
      expect(error.message).toMatch(/credential/i);
      expect(JSON.stringify(error)).not.toContain(FAKE_COHERE_API_KEY);
    });

    it('maps a 429 to provider_rate_limited with Retry-After', async () => {
      fake.failNext(429, { headers: { 'retry-after': '7' } });
      const error = await client.chat.completions
        .create({ model, messages: [{ role: 'user', content: 'Hi' }] })
        .catch((err: unknown) => err);
      expect(error).toBeInstanceOf(APIError);
      expect((error as APIError).status).toBe(429);
      expect((error as APIError).code).toBe('provider_rate_limited');
      expect((error as APIError).headers?.get('retry-after')).toBe('7');
    });

    it.each([500, 503])('maps a %d (503: overloaded) to 502 provider_error', async (status) => {
      fake.failNext(status);
      const res = await postJson(chatUrl(), hello);
      const error = await expectError(res, 502, 'provider_error');
      expect(error.message).toContain(`upstream status ${status}`);
    });

    it('maps a generation Cohere ended with ERROR to 502, not a truncated success', async () => {
      fake.setReply({ finishReason: 'ERROR' });
      const error = await expectError(await postJson(chatUrl(), hello), 502, 'provider_error');
      expect(error.message).toMatch(/ERROR/);
    });

    it('cuts a hung upstream at the configured timeout with 502', async () => {
      fake.hangNext();
      const error = await expectError(await postJson(chatUrl(), hello), 502, 'provider_error');
      expect(error.message).toMatch(/time/i);
    });

    it('answers an upstream error before the first byte of a stream as an HTTP error', async () => {
      fake.failNext(429, { headers: { 'retry-after': '3' } });
      const res = await streamRequest();
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('3');
      const body: unknown = await readJson(res);
      expectOpenAiShape('ErrorResponse', body);
    });

    it('ends a stream that fails mid-way with one error frame and no [DONE]', async () => {
      fake.streamErrorNext(4);
      const res = await streamRequest();
      expect(res.status).toBe(200);
      const { data } = await readSse(res);
      expect(data).not.toContain('[DONE]');
      const last = JSON.parse(data[data.length - 1]) as {
        error: { code: string; trace_id: string; message: string };
      };
      expectOpenAiShape('ErrorResponse', last);
      expect(last.error.code).toBe('provider_error');
      expect(last.error.trace_id).toBe(res.headers.get('x-trace-id'));
      expect(last.error.message).not.toContain('the model failed while generating');
      const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as unknown);
      for (const chunk of chunks) expectOpenAiShape('CreateChatCompletionStreamResponse', chunk);
      expect(chunks.length).toBeGreaterThan(0);
    });

    it('treats a stream without message-end as an error', async () => {
      fake.omitMessageEndNext();
      const { data } = await readSse(await streamRequest());
      expect(data).not.toContain('[DONE]');
      expect((JSON.parse(data[data.length - 1]) as { error: { code: string } }).error.code).toBe(
        'provider_error',
      );
    });
  });

  describe('client disconnects', () => {
    it('aborts the upstream stream when the client goes away', async () => {
      fake.stallStreamNext(3);
      const controller = new AbortController();
      const res = await streamRequest({}, controller.signal);
      const reader = res.body!.getReader();
      await reader.read();
      controller.abort();
      await fake.waitForClientDisconnects(1);
      expect(fake.clientDisconnects).toEqual([{ path: '/v2/chat', eventsSent: 3 }]);
    });

    it('aborts the upstream call when a non-streaming client goes away', async () => {
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

  describe('embeddings', () => {
    it("embeds through the SDK's default base64 path with Cohere's exact values", async () => {
      const result = await client.embeddings.create({
        model: 'embed-english-v3.0',
        input: ['sunny', 'rainy'],
      });
      expect(result.data.map((d) => d.embedding)).toEqual([
        fakeCohereEmbedding('sunny'),
        fakeCohereEmbedding('rainy'),
      ]);
      expect(result.model).toBe('embed-english-v3.0');
      expect(result.usage.prompt_tokens).toBeGreaterThan(0);
      const request = fake.lastRequest!;
      expect(request.path).toBe('/v2/embed');
      expect(request.body).toEqual({
        model: 'embed-english-v3.0',
        texts: ['sunny', 'rainy'],
        input_type: 'search_document',
        embedding_types: ['float'],
      });
    });

    it('maps dimensions to output_dimension, as floats when asked', async () => {
      const res = await postJson(`${gw.url}/v1/embeddings`, {
        model: 'embed-v4.0',
        input: 'sunny',
        dimensions: 256,
        encoding_format: 'float',
      });
      expect(res.status).toBe(200);
      expectOpenAiShape('CreateEmbeddingResponse', res.body);
      expect(res.body.data[0].embedding).toEqual(fakeCohereEmbedding('sunny', 256));
      expect(received()).toMatchObject({ output_dimension: 256 });
    });

    it('refuses dimensions on a fixed-size model without calling Cohere', async () => {
      const res = await postJson(`${gw.url}/v1/embeddings`, {
        model: 'embed-english-v3.0',
        input: 'sunny',
        dimensions: 256,
      });
      await expectError(res, 400, 'unsupported_capability');
      expect(fake.requests).toHaveLength(0);
    });
  });

  it('lists the configured Cohere models with their capabilities', async () => {
    const list: unknown = await readJson(await fetch(`${gw.url}/v1/models`));
    expectOpenAiShape('ListModelsResponse', list);
    const ids = (list as { data: { id: string }[] }).data.map((m) => m.id);
    expect(ids).toEqual(
      expect.arrayContaining(['command-a-03-2025', 'command-r-plus-08-2024', 'embed-v4.0']),
    );
    const card = (await readJson(await fetch(`${gw.url}/v1/models/command-a-03-2025`))) as {
      owned_by: string;
      capabilities: object;
    };
    expect(card.owned_by).toBe('cohere');
    expect(card.capabilities).toEqual({
      supports_streaming: true,
      supports_vision: false,
      supports_tool_calls: true,
      supports_structured_outputs: false,
      supports_json_mode: false,
      max_context_tokens: 128_000,
    });
  });
});
