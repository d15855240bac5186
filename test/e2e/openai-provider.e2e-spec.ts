import OpenAI, { APIError } from 'openai';
import {
  DEFAULT_REPLY_TEXT,
  FAKE_OPENAI_API_KEY,
  FakeOpenAiServer,
  fakeEmbedding,
} from '../fakes/fake-openai.server.js';
import {
  type GatewayUnderTest,
  postJson,
  readJson,
  readSse,
  startGateway,
  issueKey,
} from '../helpers/gateway-harness.js';

/** The gateway's openai adapter, end to end, against a fake OpenAI upstream on loopback. */
describe('openai provider through the gateway', () => {
  const fake = new FakeOpenAiServer();
  let gw: GatewayUnderTest;
  let client: OpenAI;
  /** A real key of this gateway: it must never reach the upstream. */
  let callerKey = '';
  const chatUrl = () => `${gw.url}/v1/chat/completions`;
  const hello = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] };
  const streamRequest = (extra: object = {}, signal?: AbortSignal) =>
    fetch(chatUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...hello, stream: true, ...extra }),
      signal,
    });

  beforeAll(async () => {
    const { baseUrl } = await fake.start();
    gw = await startGateway({
      singleAttempt: true,
      env: { OPENAI_API_KEY: FAKE_OPENAI_API_KEY, OPENAI_BASE_URL: baseUrl },
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

  it('answers a chat with the upstream answer, authenticating with the gateway key only', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hello' }],
      temperature: 0.2,
      max_tokens: 50,
    });
    expect(completion.choices[0].message.content).toBe(DEFAULT_REPLY_TEXT);
    const received = fake.lastRequest!;
    expect(received.path).toBe('/v1/chat/completions');
    expect(received.headers.authorization).toBe(`Bearer ${FAKE_OPENAI_API_KEY}`);
    expect(JSON.stringify(received.headers)).not.toContain(callerKey);
    expect(received.body).toMatchObject({ model: 'gpt-4o-mini', temperature: 0.2, max_tokens: 50 });
  });

  it('streams through the SDK, asking upstream for usage but showing it only when asked', async () => {
    const plain = await client.chat.completions.create({
      ...hello,
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
    });
    let text = '';
    let sawUsage = false;
    for await (const chunk of plain) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) sawUsage = true;
    }
    expect(text).toBe(DEFAULT_REPLY_TEXT);
    expect(sawUsage).toBe(false);
    expect((fake.lastRequest!.body as any).stream_options).toEqual({ include_usage: true });

    const withUsage = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of withUsage) if (chunk.usage) usage = chunk.usage;
    expect(usage?.total_tokens).toBeGreaterThan(0);
  });

  it('keeps the text intact across split writes, CRLF, data: without space and keep-alives', async () => {
    fake.setStreamFormat({
      splitWrites: true,
      crlf: true,
      noSpaceAfterColon: true,
      keepAliveComments: true,
    });
    const { data } = await readSse(await streamRequest());
    const text = data
      .slice(0, -1)
      .map((d) => JSON.parse(d).choices[0]?.delta?.content ?? '')
      .join('');
    expect(text).toBe(DEFAULT_REPLY_TEXT);
  });

  it("returns embeddings through the SDK's default base64 path with the upstream's exact values", async () => {
    const result = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: 'hello',
    });
    const expected = fakeEmbedding('hello');
    expect(result.data[0].embedding).toHaveLength(expected.length);
    result.data[0].embedding.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
  });

  it('maps an upstream 400 to provider_rejected_request without echoing the upstream text', async () => {
    fake.failNext(400, {
      body: {
        error: {
          message: 'Upstream secret detail: org-internal-123',
          type: 'invalid_request_error',
          param: 'messages',
          code: 'invalid_value',
        },
      },
    });
    const res = await postJson(chatUrl(), hello);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('provider_rejected_request');
    expect(JSON.stringify(res.body)).not.toContain('org-internal-123');
  });

  it('maps a refused upstream credential to 502 provider_error', async () => {
    fake.failNext(401);
    const res = await postJson(chatUrl(), hello);
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('provider_error');
    expect(res.body.error.message).toMatch(/credential/i);
    expect(JSON.stringify(res.body)).not.toContain(FAKE_OPENAI_API_KEY);
  });

  it('maps an upstream 429 to provider_rate_limited with Retry-After', async () => {
    fake.failNext(429, { headers: { 'retry-after': '7' } });
    const error = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] })
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(429);
    expect((error as APIError).code).toBe('provider_rate_limited');
    expect((error as APIError).headers?.get('retry-after')).toBe('7');
  });

  it.each([500, 503])('maps an upstream %d to 502 provider_error', async (status) => {
    fake.failNext(status);
    const res = await postJson(chatUrl(), hello);
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('provider_error');
    expect(res.body.error.type).toBe('provider_error');
  });

  it('cuts a hung upstream at the configured timeout with 502 provider_error', async () => {
    fake.hangNext();
    const res = await postJson(chatUrl(), hello);
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('provider_error');
    expect(res.body.error.message).toMatch(/time/i);
    // The gateway gave up on the upstream: the fake sees it go (and records it before reset()).
    await fake.waitForClientDisconnects(1);
  });

  it('answers an upstream error before the first byte of a stream as an HTTP error', async () => {
    fake.failNext(400);
    const res = await streamRequest();
    expect(res.status).toBe(400);
    expect((await readJson(res)).error.code).toBe('provider_rejected_request');
  });

  it('ends a stream that fails mid-way with one error frame and no [DONE]', async () => {
    fake.streamErrorNext(2);
    const res = await streamRequest();
    expect(res.status).toBe(200);
    const { data } = await readSse(res);
    const last = JSON.parse(data[data.length - 1]);
    expect(last.error.code).toBe('provider_error');
    expect(last.error.trace_id).toBe(res.headers.get('x-trace-id'));
    expect(data).not.toContain('[DONE]');
    expect(data.slice(0, -1).every((d) => JSON.parse(d).object === 'chat.completion.chunk')).toBe(
      true,
    );
  });

  it('treats an upstream stream without a finish reason as an error', async () => {
    fake.omitFinishReasonNext({ sendDone: true });
    const { data } = await readSse(await streamRequest());
    expect(JSON.parse(data[data.length - 1]).error.code).toBe('provider_error');
    expect(data).not.toContain('[DONE]');
  });

  it('aborts the upstream stream when the client disconnects', async () => {
    fake.stallStreamNext(1);
    const controller = new AbortController();
    const res = await streamRequest({}, controller.signal);
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    await fake.waitForClientDisconnects(1);
    expect(fake.clientDisconnects[0].path).toBe('/v1/chat/completions');
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

  it('lists the configured OpenAI models with their capabilities', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(
      expect.arrayContaining(['gpt-4o-mini', 'text-embedding-3-small', 'mock/default']),
    );
    const res = await fetch(`${gw.url}/v1/models/gpt-4o`);
    expect((await readJson(res)).capabilities).toMatchObject({
      supports_vision: true,
      supports_tool_calls: true,
    });
  });
});
