import { Cohere, CohereClientV2, CohereError } from 'cohere-ai';
import {
  DEFAULT_COHERE_REPLY_TEXT,
  FAKE_COHERE_API_KEY,
  FAKE_GENERATION_ERROR,
  FakeCohereServer,
  fakeCohereEmbedding,
} from './fake-cohere.server.js';

type StreamEvent = Cohere.V2ChatStreamResponse;

/**
 * The fake is only useful if it is the real wire format: these tests drive it with the official
 * `cohere-ai` SDK (`CohereClientV2`), which serialises requests and parses answers, events and
 * errors exactly as it does against the real API.
 */
describe(FakeCohereServer.name, () => {
  const fake = new FakeCohereServer();
  let client: CohereClientV2;

  beforeAll(async () => {
    const { baseUrl } = await fake.start();
    client = new CohereClientV2({ token: FAKE_COHERE_API_KEY, environment: baseUrl });
  });

  afterEach(() => fake.reset());

  afterAll(() => fake.close());

  const messages: Cohere.ChatMessages = [{ role: 'user', content: 'Say hello' }];
  const noRetry = { maxRetries: 0 };

  async function collect(stream: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
    const events: StreamEvent[] = [];
    for await (const event of stream) events.push(event);
    return events;
  }

  function text(events: StreamEvent[]): string {
    return events
      .map((e) => (e.type === 'content-delta' ? (e.delta?.message?.content?.text ?? '') : ''))
      .join('');
  }

  async function failure(run: () => Promise<unknown>): Promise<CohereError> {
    const error: unknown = await run().then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(error instanceof CohereError))
      throw new Error(`expected a CohereError, got ${String(error)}`);
    return error;
  }

  it('answers a chat the SDK reads, with usage in tokens and billed units', async () => {
    fake.setReply({ cachedTokens: 4 });
    const answer = await client.chat({ model: 'command-r-plus', messages }, noRetry);

    expect(answer.finishReason).toBe('COMPLETE');
    expect(answer.message.role).toBe('assistant');
    expect(answer.message.content).toEqual([{ type: 'text', text: DEFAULT_COHERE_REPLY_TEXT }]);
    expect(answer.usage?.tokens?.inputTokens).toBeGreaterThan(0);
    expect(answer.usage?.billedUnits?.outputTokens).toBe(answer.usage?.tokens?.outputTokens);
    expect(answer.usage?.cachedTokens).toBe(4);
  });

  it('records the request as the SDK serialised it, with the bearer key', async () => {
    await client.chat(
      { model: 'command-r', messages, temperature: 0.2, p: 0.5, stopSequences: ['END'] },
      noRetry,
    );

    expect(fake.lastRequest).toMatchObject({
      method: 'POST',
      path: '/v2/chat',
      body: {
        model: 'command-r',
        messages,
        temperature: 0.2,
        p: 0.5,
        stop_sequences: ['END'],
        stream: false,
      },
    });
    expect(fake.lastRequest?.headers.authorization).toBe(`Bearer ${FAKE_COHERE_API_KEY}`);
  });

  it('answers tool calls with a tool plan, and accepts the tool results back', async () => {
    const toolCalls = [
      { id: 'get_weather_a1', name: 'get_weather', arguments: '{"city":"Paris"}' },
    ];
    fake.setReply({ toolCalls });
    const tools: Cohere.ToolV2[] = [
      {
        type: 'function',
        function: { name: 'get_weather', parameters: { type: 'object', properties: {} } },
      },
    ];
    const call = await client.chat({ model: 'command-r', messages, tools }, noRetry);

    expect(call.finishReason).toBe('TOOL_CALL');
    expect(call.message.toolPlan).toBe('I will use get_weather to answer.');
    expect(call.message.toolCalls).toEqual([
      {
        id: 'get_weather_a1',
        type: 'function',
        function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
      },
    ]);

    fake.setReply({ content: 'It is sunny.' });
    const answer = await client.chat(
      {
        model: 'command-r',
        tools,
        messages: [
          ...messages,
          { role: 'assistant', toolPlan: call.message.toolPlan, toolCalls: call.message.toolCalls },
          { role: 'tool', toolCallId: 'get_weather_a1', content: '18C sunny' },
        ],
      },
      noRetry,
    );
    expect(answer.message.content).toEqual([{ type: 'text', text: 'It is sunny.' }]);
  });

  it('streams named events the SDK parses, in the order Cohere sends them', async () => {
    fake.setReply({ thinking: 'Greet them.' });
    const events = await collect(
      await client.chatStream({ model: 'command-r', messages }, noRetry),
    );

    expect(events.map((e) => e.type)).toEqual([
      'message-start',
      'content-start',
      ...Array<string>(3).fill('content-delta'),
      'content-end',
      'content-start',
      ...Array<string>(Math.ceil(Array.from(DEFAULT_COHERE_REPLY_TEXT).length / 4)).fill(
        'content-delta',
      ),
      'content-end',
      'message-end',
    ]);
    const start = events[0];
    expect(start.type === 'message-start' && start.id).toMatch(/^fake-/);
    const thinking = events[1];
    expect(thinking.type === 'content-start' && thinking.delta?.message?.content?.type).toBe(
      'thinking',
    );
    expect(text(events)).toBe(DEFAULT_COHERE_REPLY_TEXT);
    const end = events[events.length - 1];
    expect(end.type === 'message-end' && end.delta?.finishReason).toBe('COMPLETE');
    expect(end.type === 'message-end' && end.delta?.usage?.tokens?.outputTokens).toBeGreaterThan(0);
    expect(fake.lastRequest?.body).toMatchObject({ stream: true });
  });

  it('streams text the SDK reads whatever the SSE quirks', async () => {
    fake.setStreamFormat({
      splitWrites: true,
      crlf: true,
      noSpaceAfterColon: true,
      keepAliveComments: true,
    });
    const events = await collect(
      await client.chatStream({ model: 'command-r', messages }, noRetry),
    );
    expect(text(events)).toBe(DEFAULT_COHERE_REPLY_TEXT);
    expect(events[events.length - 1].type).toBe('message-end');
  });

  it('streams tool calls: plan deltas, then start, argument deltas and end per call', async () => {
    const toolCalls = [
      { id: 'get_weather_a1', name: 'get_weather', arguments: '{"city":"Paris","unit":"C"}' },
      { id: 'get_time_b2', name: 'get_time', arguments: '{"zone":"Europe/Paris"}' },
    ];
    fake.setReply({ toolCalls });
    const events = await collect(
      await client.chatStream({ model: 'command-r', messages }, noRetry),
    );

    const plan = events
      .map((e) => (e.type === 'tool-plan-delta' ? (e.delta?.message?.toolPlan ?? '') : ''))
      .join('');
    expect(plan).toBe('I will use get_weather and get_time to answer.');
    const assembled = toolCalls.map((_, index) => {
      const start = events.find((e) => e.type === 'tool-call-start' && e.index === index);
      const opener =
        start?.type === 'tool-call-start' ? start.delta?.message?.toolCalls : undefined;
      const args = events
        .map((e) =>
          e.type === 'tool-call-delta' && e.index === index
            ? (e.delta?.message?.toolCalls?.function?.arguments ?? '')
            : '',
        )
        .join('');
      return { id: opener?.id, name: opener?.function?.name, arguments: args };
    });
    expect(assembled).toEqual(toolCalls);
    expect(events.filter((e) => e.type === 'tool-call-end')).toHaveLength(2);
    const end = events[events.length - 1];
    expect(end.type === 'message-end' && end.delta?.finishReason).toBe('TOOL_CALL');
  });

  it('ends a failing stream with message-end ERROR and its error text', async () => {
    fake.streamErrorNext(2);
    const events = await collect(
      await client.chatStream({ model: 'command-r', messages }, noRetry),
    );

    expect(events.map((e) => e.type)).toEqual(['message-start', 'content-start', 'message-end']);
    const end = events[2];
    expect(end.type === 'message-end' && end.delta).toEqual({
      finishReason: 'ERROR',
      error: FAKE_GENERATION_ERROR,
    });
  });

  it('embeds texts with the input type, as float vectors with billed units', async () => {
    const answer = await client.embed(
      {
        model: 'embed-v4.0',
        texts: ['alpha', 'beta'],
        inputType: 'search_document',
        embeddingTypes: ['float'],
        outputDimension: 256,
      },
      noRetry,
    );

    expect(answer.embeddings.float).toEqual([
      fakeCohereEmbedding('alpha', 256),
      fakeCohereEmbedding('beta', 256),
    ]);
    expect(answer.meta?.billedUnits?.inputTokens).toBe(3);
    expect(answer.texts).toEqual(['alpha', 'beta']);
  });

  it('refuses an embed call without input_type, as Cohere does for v3+ models', async () => {
    const response = await fetch(`${fake.baseUrl}/v2/embed`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${FAKE_COHERE_API_KEY}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ model: 'embed-english-v3.0', texts: ['a'] }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toMatch(/input_type/);
  });

  it('refuses a wrong key with a 401 the SDK raises as UnauthorizedError', async () => {
    const wrong = new CohereClientV2({ token: 'co-wrong', environment: fake.baseUrl });
    const error = await failure(() => wrong.chat({ model: 'command-r', messages }, noRetry));

    expect(error).toBeInstanceOf(Cohere.UnauthorizedError);
    expect(error.statusCode).toBe(401);
    expect(error.body).toMatchObject({ message: 'invalid api token' });
  });

  it.each([
    [400, Cohere.BadRequestError],
    [429, Cohere.TooManyRequestsError],
    [498, Cohere.InvalidTokenError],
    [499, Cohere.ClientClosedRequestError],
    [500, Cohere.InternalServerError],
    [503, Cohere.ServiceUnavailableError],
  ])('fails a scripted %d with the body and class the SDK expects', async (status, type) => {
    fake.failNext(status, { headers: { 'retry-after': '7' } });
    const error = await failure(() => client.chat({ model: 'command-r', messages }, noRetry));

    expect(error).toBeInstanceOf(type);
    expect(error.statusCode).toBe(status);
    expect(error.body).toMatchObject({ message: expect.any(String) });
    expect(error.rawResponse?.headers.get('retry-after')).toBe('7');
  });

  it.each([
    ['an unknown field', { model: 'command-r', messages, top_p: 0.5 }, /unknown field.*top_p/],
    [
      'a developer role',
      { model: 'command-r', messages: [{ role: 'developer', content: 'x' }] },
      /invalid role/,
    ],
    ['p of 1', { model: 'command-r', messages, p: 1 }, /p must be between/],
    [
      "OpenAI's tool_choice",
      {
        model: 'command-r',
        messages,
        tools: [{ type: 'function', function: { name: 'f', parameters: {} } }],
        tool_choice: 'required',
      },
      /tool_choice must be one of REQUIRED, NONE/,
    ],
    [
      'a tool result that answers no call',
      {
        model: 'command-r',
        messages: [...messages, { role: 'tool', tool_call_id: 'x', content: 'y' }],
      },
      /does not answer a tool call/,
    ],
    ['a missing model', { messages }, /model must be/],
  ])('refuses %s with 400', async (_name, body, message) => {
    const response = await fetch(`${fake.baseUrl}/v2/chat`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${FAKE_COHERE_API_KEY}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toMatch(message);
  });

  it('notices a client that leaves a stalled stream', async () => {
    fake.stallStreamNext(2);
    const controller = new AbortController();
    const stream = await client.chatStream(
      { model: 'command-r', messages },
      { ...noRetry, abortSignal: controller.signal },
    );
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    controller.abort();

    await fake.waitForClientDisconnects(1);
    expect(fake.clientDisconnects).toEqual([{ path: '/v2/chat', eventsSent: 2 }]);
  });
});
