import {
  DEFAULT_REPLY_TEXT as CLAUDE_TEXT,
  FAKE_ANTHROPIC_API_KEY,
  FakeAnthropicServer,
} from '../fakes/fake-anthropic.server.js';
import {
  DEFAULT_REPLY_TEXT as OPENAI_TEXT,
  FAKE_OPENAI_API_KEY,
  FakeOpenAiServer,
} from '../fakes/fake-openai.server.js';
import {
  type GatewayUnderTest,
  postJson,
  readJson,
  readSse,
  startGateway,
  postRaw,
} from '../helpers/gateway-harness.js';

/**
 * Routes with fallbacks (contract section 6), end to end: an OpenAI primary, an Anthropic fallback
 * under a mapped model, each a fake upstream with its own key. Both retry once (2 attempts in all)
 * after 20 ms; their breakers are off so failures queued by one test cannot open them for the next.
 */
describe('routing: fallback chains', () => {
  const openai = new FakeOpenAiServer();
  const anthropic = new FakeAnthropicServer();
  let gw: GatewayUnderTest;
  const chatUrl = () => `${gw.url}/v1/chat/completions`;
  const hello = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hello' }] };
  const stream = () => postRaw(chatUrl(), { ...hello, stream: true });
  /** The text of a stream's chunks, and its last frame. */
  const streamed = async (res: Response) => {
    const { data } = await readSse(res);
    const chunks = data.filter((d) => d !== '[DONE]').map((d) => JSON.parse(d));
    const text = chunks.map((c) => c.choices?.[0]?.delta?.content ?? '').join('');
    return { data, chunks, text, last: data[data.length - 1] };
  };

  beforeAll(async () => {
    await openai.start();
    await anthropic.start();
    gw = await startGateway({
      env: {
        OPENAI_API_KEY: FAKE_OPENAI_API_KEY,
        OPENAI_BASE_URL: openai.baseUrl,
        ANTHROPIC_API_KEY: FAKE_ANTHROPIC_API_KEY,
        ANTHROPIC_BASE_URL: anthropic.baseUrl,
      },
      yaml: `
gateway:
  resilience:
    retry: { initial-delay-ms: 20, jitter: false }
  providers:
    openai:
      resilience:
        retry: { max-attempts: 2 }
        circuit-breaker: { enabled: false }
    anthropic:
      resilience:
        retry: { max-attempts: 2 }
        circuit-breaker: { enabled: false }
  routes:
    - model: gpt-4o*
      providers:
        - provider: openai
      fallbacks:
        - provider: anthropic
          model: claude-sonnet-4-5
    - model: text-embedding-3-*
      providers:
        - provider: openai
      fallbacks:
        - provider: mock
          model: mock/embed
`,
    });
  });
  afterEach(() => {
    openai.reset();
    anthropic.reset();
  });
  afterAll(async () => {
    await gw.close();
    await openai.close();
    await anthropic.close();
  });

  it('answers from the primary with its own headers when it is healthy', async () => {
    const res = await postJson(chatUrl(), hello);
    expect(res.status).toBe(200);
    expect(res.body.choices[0].message.content).toBe(OPENAI_TEXT);
    expect(res.headers.get('x-gateway-provider')).toBe('openai');
    expect(res.headers.get('x-gateway-model')).toBe('gpt-4o');
    expect(res.headers.get('x-gateway-failover')).toBeNull();
    expect(anthropic.requests).toHaveLength(0);
  });

  it("falls back from a 503 primary to the mapped model with the fallback's own key only", async () => {
    openai.failNext(503, { times: 2 });
    const res = await postJson(chatUrl(), hello);
    expect(res.status).toBe(200);
    expect(res.body.choices[0].message.content).toBe(CLAUDE_TEXT);
    expect(res.body.model).toBe('claude-sonnet-4-5');
    expect(res.headers.get('x-gateway-provider')).toBe('anthropic');
    expect(res.headers.get('x-gateway-model')).toBe('claude-sonnet-4-5');
    expect(res.headers.get('x-gateway-failover')).toBe('openai');

    // The primary was retried once, then given up.
    expect(openai.requests).toHaveLength(2);
    expect(anthropic.requests).toHaveLength(1);
    const sent = anthropic.requests[0];
    expect((sent.body as { model: string }).model).toBe('claude-sonnet-4-5');
    expect(sent.headers['x-api-key']).toBe(FAKE_ANTHROPIC_API_KEY);
    expect(JSON.stringify(sent)).not.toContain(FAKE_OPENAI_API_KEY);
  });

  it('does not fall back, nor retry, when the primary refuses the request (400)', async () => {
    openai.failNext(400);
    const res = await postJson(chatUrl(), hello);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('provider_rejected_request');
    expect(res.headers.get('x-gateway-failover')).toBeNull();
    expect(openai.requests).toHaveLength(1);
    expect(anthropic.requests).toHaveLength(0);
  });

  it('retries a 429 after the delay its Retry-After asks for, on the same provider', async () => {
    openai.failNext(429, { headers: { 'retry-after': '1' } });
    const started = Date.now();
    const res = await postJson(chatUrl(), hello);
    const elapsed = Date.now() - started;
    expect(res.status).toBe(200);
    expect(res.headers.get('x-gateway-provider')).toBe('openai');
    expect(openai.requests).toHaveLength(2);
    expect(anthropic.requests).toHaveLength(0);
    // Far above the 20 ms backoff: the upstream's one second was honoured (timers may round by 1 ms).
    expect(elapsed).toBeGreaterThanOrEqual(990);
  });

  it("returns the primary's error when the fallback fails too", async () => {
    openai.failNext(503, { times: 2 });
    anthropic.failNext(529, { times: 2 });
    const res = await postJson(chatUrl(), hello);
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('provider_error');
    expect(res.body.error.message).toContain("'openai'");
    expect(anthropic.requests).toHaveLength(2);
  });

  it('fails a stream over to the fallback when the primary fails before the first byte', async () => {
    openai.failNext(503, { times: 2 });
    const res = await stream();
    expect(res.status).toBe(200);
    expect(res.headers.get('x-gateway-provider')).toBe('anthropic');
    expect(res.headers.get('x-gateway-model')).toBe('claude-sonnet-4-5');
    expect(res.headers.get('x-gateway-failover')).toBe('openai');
    const { chunks, text, last } = await streamed(res);
    expect(text).toBe(CLAUDE_TEXT);
    expect(chunks.every((c) => c.model === 'claude-sonnet-4-5')).toBe(true);
    expect(last).toBe('[DONE]');
  });

  it('ends a stream that fails after its first byte with an error frame, without failing over', async () => {
    openai.streamErrorNext(2);
    const res = await stream();
    expect(res.status).toBe(200);
    expect(res.headers.get('x-gateway-provider')).toBe('openai');
    const { chunks, last } = await streamed(res);
    expect(chunks.length).toBeGreaterThanOrEqual(2);
    expect(JSON.parse(last).error.code).toBe('provider_error');
    expect(openai.requests).toHaveLength(1);
    expect(anthropic.requests).toHaveLength(0);
  });

  it('falls embeddings back too, naming what answered', async () => {
    openai.failNext(500, { times: 2 });
    const res = await postJson(`${gw.url}/v1/embeddings`, {
      model: 'text-embedding-3-small',
      input: 'hello',
    });
    expect(res.status).toBe(200);
    expect(res.body.model).toBe('mock/embed');
    expect(res.body.data[0].embedding.length).toBeGreaterThan(0);
    expect(res.headers.get('x-gateway-provider')).toBe('mock');
    expect(res.headers.get('x-gateway-model')).toBe('mock/embed');
    expect(res.headers.get('x-gateway-failover')).toBe('openai');
  });

  it('keeps prefix dispatch for models no route matches, with retries still applied', async () => {
    openai.failNext(503);
    const res = await postJson(chatUrl(), { ...hello, model: 'gpt-3.5-turbo' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-gateway-provider')).toBe('openai');
    expect(openai.requests).toHaveLength(2);
    expect(anthropic.requests).toHaveLength(0);
  });

  it('skips a target that cannot hold the prompt and lets a capable fallback answer', async () => {
    // About 150,000 tokens: above OpenAI's 128,000-token window, within Anthropic's 200,000.
    const long = 'x'.repeat(4 * 150_000);
    const res = await postRaw(chatUrl(), { ...hello, messages: [{ role: 'user', content: long }] });
    const body = await readJson(res);
    expect(res.status).toBe(200);
    expect(body.choices[0].message.content).toBe(CLAUDE_TEXT);
    expect(res.headers.get('x-gateway-provider')).toBe('anthropic');
    // Skipped for capability, not failed: no failover header, no upstream call to OpenAI.
    expect(res.headers.get('x-gateway-failover')).toBeNull();
    expect(openai.requests).toHaveLength(0);
  });
});
