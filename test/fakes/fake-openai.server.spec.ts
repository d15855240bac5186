import OpenAI from 'openai';
import {
  DEFAULT_REPLY_TEXT,
  FAKE_OPENAI_API_KEY,
  FakeOpenAiServer,
  fakeEmbedding,
} from './fake-openai.server.js';

/**
 * The fake is only useful if it is the real wire format: these tests drive it with the official
 * `openai` SDK, which parses, assembles and raises errors exactly as it does against the real API.
 */
describe(FakeOpenAiServer.name, () => {
  const fake = new FakeOpenAiServer();
  let client: OpenAI;

  beforeAll(async () => {
    const { baseUrl } = await fake.start();
    client = new OpenAI({ apiKey: FAKE_OPENAI_API_KEY, baseURL: baseUrl, maxRetries: 0 });
  });

  afterEach(() => fake.reset());

  afterAll(() => fake.close());

  const messages = [{ role: 'user' as const, content: 'Say hello' }];

  it('answers a chat completion the SDK reads', async () => {
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });

    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('gpt-4o-mini');
    expect(completion.choices[0].message).toMatchObject({
      role: 'assistant',
      content: DEFAULT_REPLY_TEXT,
      refusal: null,
    });
    expect(completion.choices[0].finish_reason).toBe('stop');
    expect(completion.usage?.total_tokens).toBe(
      (completion.usage?.prompt_tokens ?? 0) + (completion.usage?.completion_tokens ?? 0),
    );
  });

  it('records the request, with the bearer key', async () => {
    await client.chat.completions.create({ model: 'gpt-4o', messages, temperature: 0.2 });

    expect(fake.requests).toHaveLength(1);
    expect(fake.lastRequest).toMatchObject({
      method: 'POST',
      path: '/v1/chat/completions',
      body: { model: 'gpt-4o', messages, temperature: 0.2 },
    });
    expect(fake.lastRequest?.headers.authorization).toBe(`Bearer ${FAKE_OPENAI_API_KEY}`);
  });

  it('streams chunks without usage when include_usage was not asked', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o',
      messages,
      stream: true,
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);

    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(DEFAULT_REPLY_TEXT);
    expect(chunks[chunks.length - 1].choices[0].finish_reason).toBe('stop');
    expect(chunks.every((c) => !('usage' in c))).toBe(true);
  });

  it('streams usage: null on each chunk and a trailing usage chunk when asked', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);

    const last = chunks[chunks.length - 1];
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ prompt_tokens: expect.any(Number) });
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    expect(chunks[chunks.length - 2].choices[0].finish_reason).toBe('stop');
  });

  it('streams a text answer the SDK assembles, whatever the SSE quirks', async () => {
    fake.setStreamFormat({
      splitWrites: true,
      crlf: true,
      noSpaceAfterColon: true,
      keepAliveComments: true,
    });
    const stream = client.chat.completions.stream({ model: 'gpt-4o', messages });
    const completion = await stream.finalChatCompletion();

    expect(completion.choices[0].message.content).toBe(DEFAULT_REPLY_TEXT);
    expect(completion.choices[0].finish_reason).toBe('stop');
  });

  it('streams tool calls (opener, then argument fragments) the SDK assembles', async () => {
    const toolCalls = [
      { id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' },
      { id: 'call_b', name: 'get_time', arguments: '{"zone":"Europe/Paris"}' },
    ];
    fake.setReply({ toolCalls });
    const stream = client.chat.completions.stream({ model: 'gpt-4o', messages });
    const completion = await stream.finalChatCompletion();

    expect(completion.choices[0].finish_reason).toBe('tool_calls');
    expect(completion.choices[0].message.tool_calls).toEqual(
      toolCalls.map((c) => ({
        id: c.id,
        type: 'function',
        function: { name: c.name, arguments: c.arguments },
      })),
    );
  });

  it("serves embeddings on the SDK's default path (it asks base64 and decodes it)", async () => {
    const result = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: ['alpha', 'beta'],
    });

    expect(fake.lastRequest?.body).toMatchObject({ encoding_format: 'base64' });
    expect(result.data.map((d) => d.embedding)).toEqual([
      fakeEmbedding('alpha'),
      fakeEmbedding('beta'),
    ]);
  });

  it('serves float embeddings with the requested dimensions', async () => {
    const result = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: 'alpha',
      encoding_format: 'float',
      dimensions: 4,
    });

    expect(result.data[0].embedding).toEqual(fakeEmbedding('alpha', 4));
    expect(result.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it('lists models', async () => {
    fake.setModels(['gpt-4o', 'text-embedding-3-large']);
    const ids = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(['gpt-4o', 'text-embedding-3-large']);
  });

  it('refuses a wrong key with a 401 the SDK raises as an APIError', async () => {
    const wrong = new OpenAI({ apiKey: 'sk-wrong', baseURL: fake.baseUrl, maxRetries: 0 });
    const error: unknown = await wrong.models.list().then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(401);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('invalid_api_key');
  });

  it('fails scripted requests with status, envelope and headers the SDK understands', async () => {
    fake.failNext(429, { headers: { 'retry-after': '7' } }).failNext(400);
    const rateLimited: unknown = await client.chat.completions
      .create({ model: 'gpt-4o', messages })
      .catch((e: unknown) => e);
    const rejected: unknown = await client.chat.completions
      .create({ model: 'gpt-4o', messages })
      .catch((e: unknown) => e);

    expect(rateLimited).toBeInstanceOf(OpenAI.RateLimitError);
    expect((rateLimited as InstanceType<typeof OpenAI.APIError>).headers?.get('retry-after')).toBe(
      '7',
    );
    expect(rejected).toBeInstanceOf(OpenAI.BadRequestError);
    expect((rejected as InstanceType<typeof OpenAI.APIError>).param).toBe('temperature');
  });

  it('sends a mid-stream error frame the SDK raises as an APIError', async () => {
    fake.streamErrorNext(2);
    const stream = await client.chat.completions.create({
      model: 'gpt-4o',
      messages,
      stream: true,
    });
    const received: unknown[] = [];
    const error: unknown = await (async () => {
      for await (const chunk of stream) received.push(chunk);
    })().catch((e: unknown) => e);

    expect(received).toHaveLength(2);
    expect(error).toBeInstanceOf(OpenAI.APIError);
  });

  it('refuses unknown request fields as OpenAI does', async () => {
    const response = await fetch(`${fake.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${FAKE_OPENAI_API_KEY}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ model: 'gpt-4o', messages, trace_id: 'x' }),
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { message: 'Unrecognized request argument supplied: trace_id', param: null },
    });
  });

  it('notices a client that leaves a stalled stream', async () => {
    fake.stallStreamNext(1);
    const stream = await client.chat.completions.create({
      model: 'gpt-4o',
      messages,
      stream: true,
    });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    stream.controller.abort();

    await fake.waitForClientDisconnects(1);
    expect(fake.clientDisconnects).toEqual([{ path: '/v1/chat/completions', chunksSent: 1 }]);
  });
});
