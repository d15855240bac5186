import OpenAI, { APIError } from 'openai';
import {
  DEFAULT_REPLY_TEXT,
  FAKE_ANTHROPIC_API_KEY,
  FakeAnthropicServer,
} from '../fakes/fake-anthropic.server.js';
import {
  type GatewayUnderTest,
  postJson,
  readJson,
  readSse,
  startGateway,
  issueKey,
} from '../helpers/gateway-harness.js';
import { expectOpenAiShape } from '../helpers/openai-schemas.js';

/** What the fake received, loosely typed for assertions. */
type Sent = Record<string, any>;

/** The gateway's anthropic adapter, end to end, against a fake Messages API on loopback. */
describe('anthropic provider through the gateway', () => {
  const fake = new FakeAnthropicServer();
  let gw: GatewayUnderTest;
  let client: OpenAI;
  /** A real key of this gateway: it must never reach the upstream. */
  let callerKey = '';
  const model = 'claude-sonnet-4-5';
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
      parameters: { type: 'object', properties: { city: { type: 'string' } } },
    },
  };
  const clockTool: OpenAI.ChatCompletionTool = {
    type: 'function',
    function: { name: 'get_time', parameters: { type: 'object', properties: {} } },
  };
  const weatherSchema = {
    type: 'object',
    properties: { city: { type: 'string' }, temperature_c: { type: 'number' } },
    required: ['city', 'temperature_c'],
    additionalProperties: false,
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
    for (const chunk of chunks) expectOpenAiShape('CreateChatCompletionStreamResponse', chunk);
    return chunks;
  }

  const contentOf = (chunks: OpenAI.ChatCompletionChunk[]) =>
    chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');

  /** An error body the gateway answered, checked against OpenAI's error schema. */
  function errorOf(body: unknown): Sent {
    expectOpenAiShape('ErrorResponse', body);
    return (body as Sent).error as Sent;
  }

  beforeAll(async () => {
    const { baseUrl } = await fake.start();
    gw = await startGateway({
      singleAttempt: true,
      env: { ANTHROPIC_API_KEY: FAKE_ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL: baseUrl },
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

  it('answers a plain chat, translating system, max_tokens, stop and user for the upstream', async () => {
    fake.setReply({ usage: { input_tokens: 40, output_tokens: 9, cache_read_input_tokens: 60 } });
    const completion = await client.chat.completions.create({
      model,
      messages: [
        { role: 'system', content: 'Be terse.' },
        { role: 'developer', content: 'Answer in English.' },
        { role: 'user', content: 'Hello' },
      ],
      temperature: 0.2,
      stop: ['END'],
      user: 'end-user-7',
    });

    expectOpenAiShape('CreateChatCompletionResponse', completion);
    expect(completion.choices[0].message.content).toBe(DEFAULT_REPLY_TEXT);
    expect(completion.choices[0].finish_reason).toBe('stop');
    expect(completion.usage).toMatchObject({
      prompt_tokens: 100,
      completion_tokens: 9,
      total_tokens: 109,
      prompt_tokens_details: { cached_tokens: 60 },
    });
    const received = fake.lastRequest!;
    expect(received.path).toBe('/v1/messages');
    expect(received.headers['x-api-key']).toBe(FAKE_ANTHROPIC_API_KEY);
    expect(received.headers['anthropic-version']).toBe('2023-06-01');
    expect(JSON.stringify(received.headers)).not.toContain(callerKey);
    expect(received.body).toEqual({
      model,
      max_tokens: 1024,
      system: 'Be terse.\n\nAnswer in English.',
      messages: [{ role: 'user', content: 'Hello' }],
      temperature: 0.2,
      stop_sequences: ['END'],
      metadata: { user_id: 'end-user-7' },
    });
  });

  it('streams through the SDK, showing usage only when asked', async () => {
    fake.setReply({ usage: { input_tokens: 11, output_tokens: 6 } });
    const plain = await client.chat.completions.create({ ...hello, stream: true });
    let text = '';
    let sawUsage = false;
    for await (const chunk of plain) {
      expectOpenAiShape('CreateChatCompletionStreamResponse', chunk);
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) sawUsage = true;
    }
    expect(text).toBe(DEFAULT_REPLY_TEXT);
    expect(sawUsage).toBe(false);
    expect(sent().stream).toBe(true);

    const withUsage = await client.chat.completions.create({
      ...hello,
      stream: true,
      stream_options: { include_usage: true },
    });
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of withUsage) if (chunk.usage) usage = chunk.usage;
    expect(usage).toEqual({
      prompt_tokens: 11,
      completion_tokens: 6,
      total_tokens: 17,
      prompt_tokens_details: { cached_tokens: 0 },
    });
  });

  it('emits valid SSE frames, role first and [DONE] last, through split writes and CRLF', async () => {
    fake.setStreamFormat({ splitWrites: true, crlf: true, keepAliveComments: true });
    const res = await streamRequest();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    expect(res.headers.get('x-gateway-provider')).toBe('anthropic');
    const chunks = chunksOf((await readSse(res)).data);

    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(contentOf(chunks)).toBe(DEFAULT_REPLY_TEXT);
    expect(chunks[chunks.length - 1].choices[0].finish_reason).toBe('stop');
  });

  it('runs a tool call round trip: call, tool results, answer', async () => {
    fake.setReply({
      text: 'Let me look.',
      toolUses: [
        { id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } },
        { id: 'toolu_02', name: 'get_time', input: {} },
      ],
    });
    const first = await client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'Weather and time in Paris?' }],
      tools: [weatherTool, clockTool],
      tool_choice: 'required',
      parallel_tool_calls: true,
    });
    expectOpenAiShape('CreateChatCompletionResponse', first);
    const message = first.choices[0].message;
    expect(first.choices[0].finish_reason).toBe('tool_calls');
    expect(message.tool_calls).toEqual([
      {
        id: 'toolu_01',
        type: 'function',
        function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
      },
      { id: 'toolu_02', type: 'function', function: { name: 'get_time', arguments: '{}' } },
    ]);
    expect(sent().tool_choice).toEqual({ type: 'any' });
    expect(sent().tools).toEqual([
      {
        name: 'get_weather',
        description: 'Current weather in a city',
        input_schema: { type: 'object', properties: { city: { type: 'string' } } },
      },
      { name: 'get_time', input_schema: { type: 'object', properties: {} } },
    ]);

    fake.setReply({ text: 'Sunny, 18°C, and it is 14:05.' });
    const second = await client.chat.completions.create({
      model,
      messages: [
        { role: 'user', content: 'Weather and time in Paris?' },
        // Not `message` itself: the gateway's DTO refuses the `refusal: null` it carries.
        { role: 'assistant', content: message.content, tool_calls: message.tool_calls },
        { role: 'tool', tool_call_id: 'toolu_01', content: '18C sunny' },
        { role: 'tool', tool_call_id: 'toolu_02', content: '14:05' },
      ],
      tools: [weatherTool, clockTool],
    });
    expectOpenAiShape('CreateChatCompletionResponse', second);
    expect(second.choices[0].message.content).toBe('Sunny, 18°C, and it is 14:05.');
    expect(sent().messages).toEqual([
      { role: 'user', content: 'Weather and time in Paris?' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Let me look.' },
          { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'toolu_02', name: 'get_time', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_01', content: '18C sunny' },
          { type: 'tool_result', tool_use_id: 'toolu_02', content: '14:05' },
        ],
      },
    ]);
  });

  it('streams two tool calls with OpenAI indexes 0 and 1 behind thinking and text blocks', async () => {
    fake.setReply({
      thinking: 'Two lookups.',
      text: 'Checking.',
      toolUses: [
        { id: 'toolu_a', name: 'get_weather', input: { city: 'Paris' } },
        { id: 'toolu_b', name: 'get_time', input: { tz: 'Europe/Paris' } },
      ],
    });
    const res = await streamRequest({
      tools: [weatherTool, clockTool],
      parallel_tool_calls: false,
    });
    const chunks = chunksOf((await readSse(res)).data);
    const deltas = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    const args = (index: number) =>
      deltas
        .filter((d) => d.index === index)
        .map((d) => d.function?.arguments ?? '')
        .join('');

    expect(deltas.filter((d) => d.id).map((d) => [d.index, d.id, d.function?.name])).toEqual([
      [0, 'toolu_a', 'get_weather'],
      [1, 'toolu_b', 'get_time'],
    ]);
    expect(JSON.parse(args(0))).toEqual({ city: 'Paris' });
    expect(JSON.parse(args(1))).toEqual({ tz: 'Europe/Paris' });
    expect(chunks[chunks.length - 1].choices[0].finish_reason).toBe('tool_calls');
    expect(sent().tool_choice).toEqual({ type: 'auto', disable_parallel_tool_use: true });
  });

  it('sends images as base64 and URL sources', async () => {
    const completion = await client.chat.completions.create({
      model,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What differs?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'image_url', image_url: { url: 'https://images.example.com/cat.jpg' } },
          ],
        },
      ],
    });
    expectOpenAiShape('CreateChatCompletionResponse', completion);
    expect(sent().messages[0].content).toEqual([
      { type: 'text', text: 'What differs?' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'image', source: { type: 'url', url: 'https://images.example.com/cat.jpg' } },
    ]);
  });

  it('asks for json_object through a system-prompt instruction', async () => {
    fake.setReply({ text: '{"greeting":"hello"}' });
    const completion = await client.chat.completions.create({
      ...hello,
      messages: [
        { role: 'system', content: 'You greet people.' },
        { role: 'user', content: 'Greet me as JSON.' },
      ],
      response_format: { type: 'json_object' },
    });
    expectOpenAiShape('CreateChatCompletionResponse', completion);
    expect(JSON.parse(completion.choices[0].message.content ?? '')).toEqual({ greeting: 'hello' });
    expect(sent().system).toMatch(/^You greet people\.\n\n.*JSON object/s);
    expect(sent()).not.toHaveProperty('tools');
  });

  it('rewrites json_schema as the forced structured_output tool and returns its input as content', async () => {
    const answer = { city: 'Paris', temperature_c: 18 };
    fake.setReply({ toolUses: [{ id: 'toolu_s', name: 'structured_output', input: answer }] });
    const completion = await client.chat.completions.create({
      ...hello,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'weather', schema: weatherSchema, strict: true },
      },
    });

    expectOpenAiShape('CreateChatCompletionResponse', completion);
    expect(completion.choices[0].finish_reason).toBe('stop');
    expect(completion.choices[0].message.tool_calls).toBeUndefined();
    expect(JSON.parse(completion.choices[0].message.content ?? '')).toEqual(answer);
    expect(sent().tools).toEqual([
      { name: 'structured_output', description: expect.any(String), input_schema: weatherSchema },
    ]);
    expect(sent().tool_choice).toEqual({ type: 'tool', name: 'structured_output' });
  });

  it('streams a json_schema answer as content deltas ending with stop', async () => {
    const answer = { city: 'Paris', temperature_c: 18 };
    fake.setReply({ toolUses: [{ id: 'toolu_s', name: 'structured_output', input: answer }] });
    const res = await streamRequest({
      response_format: { type: 'json_schema', json_schema: { name: 'w', schema: weatherSchema } },
      stream_options: { include_usage: true },
    });
    const chunks = chunksOf((await readSse(res)).data);

    expect(JSON.parse(contentOf(chunks))).toEqual(answer);
    expect(chunks.some((c) => c.choices[0]?.delta.tool_calls)).toBe(false);
    const finish = chunks.find((c) => c.choices[0]?.finish_reason);
    expect(finish?.choices[0].finish_reason).toBe('stop');
    expect(chunks[chunks.length - 1].usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('refuses a temperature above 1 with unsupported_capability, never calling the upstream', async () => {
    const res = await postJson(chatUrl(), { ...hello, temperature: 1.5 });
    expect(res.status).toBe(400);
    const error = errorOf(res.body);
    expect(error.code).toBe('unsupported_capability');
    expect(error.param).toBe('temperature');
    expect(fake.requests).toHaveLength(0);
  });

  it('maps an upstream 400 to provider_rejected_request without echoing the upstream text', async () => {
    fake.failNext(400, {
      body: {
        type: 'error',
        error: { type: 'invalid_request_error', message: 'Upstream detail org-internal-123' },
      },
    });
    const res = await postJson(chatUrl(), hello);
    expect(res.status).toBe(400);
    expect(errorOf(res.body).code).toBe('provider_rejected_request');
    expect(JSON.stringify(res.body)).not.toContain('org-internal-123');
  });

  it('maps a refused upstream credential (401) to 502 provider_error', async () => {
    fake.failNext(401);
    const res = await postJson(chatUrl(), hello);
    expect(res.status).toBe(502);
    const error = errorOf(res.body);
    expect(error.code).toBe('provider_error');
    expect(error.message).toMatch(/credential/i);
    expect(JSON.stringify(res.body)).not.toContain(FAKE_ANTHROPIC_API_KEY);
  });

  it('maps an upstream 429 to provider_rate_limited with Retry-After', async () => {
    fake.failNext(429, { headers: { 'retry-after': '7' } });
    const error = await client.chat.completions
      .create({ model, messages: [{ role: 'user', content: 'Hi' }] })
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(429);
    expect((error as APIError).code).toBe('provider_rate_limited');
    expect((error as APIError).headers?.get('retry-after')).toBe('7');
  });

  it.each([
    [500, 'api_error'],
    [529, 'overloaded_error'],
  ])('maps an upstream %d (%s) to 502 provider_error', async (status) => {
    fake.failNext(status);
    const res = await postJson(chatUrl(), hello);
    expect(res.status).toBe(502);
    const error = errorOf(res.body);
    expect(error.code).toBe('provider_error');
    expect(error.type).toBe('provider_error');
  });

  it('answers an overloaded upstream before the first byte of a stream as an HTTP 502', async () => {
    fake.failNext(529);
    const res = await streamRequest();
    expect(res.status).toBe(502);
    expect(errorOf(await readJson(res)).code).toBe('provider_error');
  });

  it('ends a stream that fails mid-way with one error frame and no [DONE]', async () => {
    fake.streamErrorNext(5);
    const res = await streamRequest();
    expect(res.status).toBe(200);
    const { data } = await readSse(res);
    const last = JSON.parse(data[data.length - 1]);
    expect(errorOf(last).code).toBe('provider_error');
    expect(last.error.trace_id).toBe(res.headers.get('x-trace-id'));
    expect(JSON.stringify(last)).not.toContain('Overloaded');
    expect(data).not.toContain('[DONE]');
    for (const frame of data.slice(0, -1)) {
      expectOpenAiShape('CreateChatCompletionStreamResponse', JSON.parse(frame));
    }
  });

  it('treats an upstream stream without a stop reason as an error', async () => {
    fake.omitFinishNext();
    const { data } = await readSse(await streamRequest());
    expect(errorOf(JSON.parse(data[data.length - 1])).code).toBe('provider_error');
    expect(data).not.toContain('[DONE]');
  });

  it('aborts the upstream stream when the client disconnects', async () => {
    fake.stallStreamNext(3);
    const controller = new AbortController();
    const res = await streamRequest({}, controller.signal);
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    await fake.waitForClientDisconnects(1);
    expect(fake.clientDisconnects[0].path).toBe('/v1/messages');
  });

  it('lists the configured Claude models with their capabilities', async () => {
    const ids: string[] = [];
    for await (const entry of client.models.list()) ids.push(entry.id);
    expect(ids).toEqual(expect.arrayContaining(['claude-sonnet-4-5', 'claude-haiku-4-5']));
    expect(ids.filter((id) => id.startsWith('claude-3'))).toEqual([]);
    const res = await fetch(`${gw.url}/v1/models/claude-haiku-4-5`);
    expect((await readJson(res)).capabilities).toEqual({
      supports_streaming: true,
      supports_vision: true,
      supports_tool_calls: true,
      supports_structured_outputs: true,
      supports_json_mode: true,
      max_context_tokens: 200_000,
    });
  });
});
