import Anthropic, {
  APIError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  RateLimitError,
} from '@anthropic-ai/sdk';
import {
  DEFAULT_REPLY_TEXT,
  FAKE_ANTHROPIC_API_KEY,
  FakeAnthropicServer,
} from './fake-anthropic.server.js';

/**
 * The fake is only useful if it is the real wire format: these tests drive it with the official
 * `@anthropic-ai/sdk`, which parses named SSE events, assembles streamed tool input and raises
 * typed errors exactly as it does against the real API.
 */
describe(FakeAnthropicServer.name, () => {
  const fake = new FakeAnthropicServer();
  let client: Anthropic;

  beforeAll(async () => {
    const { baseUrl } = await fake.start();
    client = new Anthropic({ apiKey: FAKE_ANTHROPIC_API_KEY, baseURL: baseUrl, maxRetries: 0 });
  });

  afterEach(() => fake.reset());

  afterAll(() => fake.close());

  // Not one the SDK warns about as deprecated.
  const model = 'claude-sonnet-4-6';
  const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'Say hello' }];

  /** Whatever a call throws, for assertions on the SDK's error classes. */
  async function thrown(run: () => Promise<unknown>): Promise<APIError> {
    const error = await run().then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(error instanceof APIError)) throw new Error(`expected an APIError, got ${String(error)}`);
    return error;
  }

  it('answers messages.create with a message the SDK reads, and records the headers', async () => {
    fake.setReply({ usage: { input_tokens: 12, output_tokens: 7, cache_read_input_tokens: 3 } });
    const message = await client.messages.create({ model, max_tokens: 64, messages });

    expect(message.type).toBe('message');
    expect(message.role).toBe('assistant');
    expect(message.model).toBe(model);
    expect(message.content).toEqual([{ type: 'text', text: DEFAULT_REPLY_TEXT }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage).toMatchObject({
      input_tokens: 12,
      output_tokens: 7,
      cache_read_input_tokens: 3,
    });
    expect(fake.lastRequest?.path).toBe('/v1/messages');
    expect(fake.lastRequest?.headers['x-api-key']).toBe(FAKE_ANTHROPIC_API_KEY);
    expect(fake.lastRequest?.headers['anthropic-version']).toBe('2023-06-01');
    expect(fake.lastRequest?.body).toEqual({ model, max_tokens: 64, messages });
  });

  it('streams named events the SDK assembles into the same text, through split writes and CRLF', async () => {
    fake.setStreamFormat({ splitWrites: true, crlf: true, keepAliveComments: true });
    const stream = client.messages.stream({ model, max_tokens: 64, messages });
    const types: string[] = [];
    stream.on('streamEvent', (event) => types.push(event.type));
    const message = await stream.finalMessage();

    expect(message.content).toEqual([{ type: 'text', text: DEFAULT_REPLY_TEXT }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.output_tokens).toBeGreaterThan(1);
    expect(types[0]).toBe('message_start');
    expect(types.slice(-2)).toEqual(['message_delta', 'message_stop']);
    expect(types.filter((t) => t === 'content_block_delta').length).toBeGreaterThan(3);
  });

  it('streams thinking, text and two tool uses whose input the SDK rebuilds from fragments', async () => {
    const weather = { city: 'Paris', unit: 'celsius', days: [1, 2, 3] };
    fake.setReply({
      thinking: 'Two lookups.',
      text: 'Checking.',
      toolUses: [
        { id: 'toolu_01', name: 'get_weather', input: weather },
        { id: 'toolu_02', name: 'get_time', input: {} },
      ],
    });
    const tools: Anthropic.Tool[] = [
      { name: 'get_weather', input_schema: { type: 'object', properties: {} } },
      { name: 'get_time', input_schema: { type: 'object' } },
    ];
    const stream = client.messages.stream({ model, max_tokens: 256, messages, tools });
    const fragments: string[] = [];
    stream.on('inputJson', (partial) => fragments.push(partial));
    const message = await stream.finalMessage();

    expect(message.stop_reason).toBe('tool_use');
    expect(message.content.map((b) => b.type)).toEqual([
      'thinking',
      'text',
      'tool_use',
      'tool_use',
    ]);
    expect(message.content[2]).toEqual({
      type: 'tool_use',
      id: 'toolu_01',
      name: 'get_weather',
      input: weather,
    });
    expect(message.content[3]).toMatchObject({ id: 'toolu_02', input: {} });
    expect(fragments.length).toBeGreaterThan(4);
  });

  it('accepts a full tool round trip and refuses tool results that answer nothing', async () => {
    const tools: Anthropic.Tool[] = [{ name: 'f', input_schema: { type: 'object' } }];
    const roundTrip: Anthropic.MessageParam[] = [
      { role: 'user', content: 'Call f.' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_9', name: 'f', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_9', content: '42' }] },
    ];
    await expect(
      client.messages.create({ model, max_tokens: 16, messages: roundTrip, tools }),
    ).resolves.toMatchObject({ type: 'message' });

    const orphan = await thrown(() =>
      client.messages.create({
        model,
        max_tokens: 16,
        tools,
        messages: [
          {
            role: 'user',
            content: [{ type: 'tool_result', tool_use_id: 'toolu_x', content: '1' }],
          },
        ],
      }),
    );
    expect(orphan).toBeInstanceOf(BadRequestError);
    expect(orphan.message).toContain('unexpected `tool_use_id`');

    const unanswered = await thrown(() =>
      client.messages.create({
        model,
        max_tokens: 16,
        tools,
        messages: [...roundTrip.slice(0, 2), { role: 'user', content: 'Never mind.' }],
      }),
    );
    expect(unanswered.message).toContain('without `tool_result` blocks');

    const undeclared = await thrown(() =>
      client.messages.create({ model, max_tokens: 16, messages: roundTrip }),
    );
    expect(undeclared.message).toContain('must define tools');
  });

  it.each([
    ['a missing max_tokens', { model, messages }, 'max_tokens: Field required'],
    [
      'a system role inside messages',
      {
        model,
        max_tokens: 16,
        messages: [
          { role: 'system', content: 'Be terse.' },
          { role: 'user', content: 'Hi' },
        ],
      },
      "Input should be 'user' or 'assistant'",
    ],
    [
      'two user turns in a row',
      {
        model,
        max_tokens: 16,
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'user', content: 'Again' },
        ],
      },
      'roles must alternate',
    ],
    ['a temperature above 1', { model, max_tokens: 16, messages, temperature: 1.5 }, 'temperature'],
    ['an OpenAI-only field', { model, max_tokens: 16, messages, seed: 1 }, 'seed: Extra inputs'],
    [
      'an OpenAI image part',
      {
        model,
        max_tokens: 16,
        messages: [
          {
            role: 'user',
            content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }],
          },
        ],
      },
      "Input tag 'image_url'",
    ],
  ])('refuses %s with 400 invalid_request_error', async (_what, body, message) => {
    const error = await thrown(() =>
      client.messages.create(body as unknown as Anthropic.MessageCreateParamsNonStreaming),
    );
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.type).toBe('invalid_request_error');
    expect(error.message).toContain(message);
  });

  it('refuses a wrong key with 401 authentication_error', async () => {
    const stranger = new Anthropic({
      apiKey: 'sk-ant-wrong',
      baseURL: fake.baseUrl,
      maxRetries: 0,
    });
    const error = await thrown(() => stranger.messages.create({ model, max_tokens: 16, messages }));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.type).toBe('authentication_error');
  });

  it('requires the anthropic-version header', async () => {
    const response = await fetch(`${fake.baseUrl}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': FAKE_ANTHROPIC_API_KEY },
      body: JSON.stringify({ model, max_tokens: 16, messages }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' },
    });
  });

  it('answers scripted 429 and 529 the way the SDK classifies them', async () => {
    fake.failNext(429, { headers: { 'retry-after': '9' } });
    const limited = await thrown(() => client.messages.create({ model, max_tokens: 16, messages }));
    expect(limited).toBeInstanceOf(RateLimitError);
    expect(limited.headers?.get('retry-after')).toBe('9');

    fake.failNext(529);
    const overloaded = await thrown(() =>
      client.messages.create({ model, max_tokens: 16, messages }),
    );
    expect(overloaded).toBeInstanceOf(InternalServerError);
    expect(overloaded.status).toBe(529);
    expect(overloaded.type).toBe('overloaded_error');
  });

  it('sends a mid-stream error event the SDK raises', async () => {
    fake.streamErrorNext(4);
    const stream = client.messages.stream({ model, max_tokens: 64, messages });
    const texts: string[] = [];
    stream.on('text', (t) => texts.push(t));
    const error = await thrown(() => stream.finalMessage());

    expect(error.type).toBe('overloaded_error');
    expect(texts.length).toBeGreaterThan(0);
  });

  it('ends a stream without message_delta and message_stop when told to', async () => {
    fake.omitFinishNext();
    const events: string[] = [];
    const stream = await client.messages.create({ model, max_tokens: 64, messages, stream: true });
    for await (const event of stream) events.push(event.type);

    expect(events).toContain('content_block_stop');
    expect(events).not.toContain('message_delta');
    expect(events).not.toContain('message_stop');
  });

  it('records a client that abandons a stream', async () => {
    fake.stallStreamNext(2);
    const stream = client.messages.stream({ model, max_tokens: 64, messages });
    // The SDK rejects its own promises on abort; that is expected here.
    const settled = stream.done().catch(() => undefined);
    await new Promise<void>((resolve) => stream.on('streamEvent', () => resolve()));
    stream.abort();
    await settled;
    await fake.waitForClientDisconnects(1);

    expect(fake.clientDisconnects[0]).toEqual({ path: '/v1/messages', eventsSent: 2 });
  });
});
