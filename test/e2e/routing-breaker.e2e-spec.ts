import { RoutingEvents, type RoutingEvent } from '../../src/routing/routing-events.js';
import { FAKE_ANTHROPIC_API_KEY, FakeAnthropicServer } from '../fakes/fake-anthropic.server.js';
import { FAKE_OPENAI_API_KEY, FakeOpenAiServer } from '../fakes/fake-openai.server.js';
import { type GatewayUnderTest, postJson, startGateway } from '../helpers/gateway-harness.js';

/**
 * Circuit breakers (contract section 6), end to end, on a small configuration: no retries, the
 * breaker judges the last 4 calls once 2 were made, and half-opens after 300 ms. Each test leaves
 * the breakers it opened closed again.
 */
describe('routing: circuit breakers', () => {
  const openai = new FakeOpenAiServer();
  const anthropic = new FakeAnthropicServer();
  const logs: string[] = [];
  const events: RoutingEvent[] = [];
  let gw: GatewayUnderTest;
  const HALF_OPEN_AFTER_MS = 300;
  const chat = (model: string, traceId?: string) =>
    postJson(
      `${gw.url}/v1/chat/completions`,
      { model, messages: [{ role: 'user', content: 'Hello' }] },
      traceId ? { 'x-trace-id': traceId } : {},
    );
  /**
   * Fails `model`'s upstream until its breaker answers 503 (how many failures that takes depends
   * on the calls an earlier test left in the window), then forgets the fake's requests and plans.
   */
  const openBreaker = async (fake: FakeOpenAiServer | FakeAnthropicServer, model: string) => {
    fake.failNext(500, { times: 4 });
    let status = 0;
    for (let i = 0; i < 4 && status !== 503; i++) status = (await chat(model)).status;
    expect(status).toBe(503);
    fake.reset();
  };
  const pastHalfOpen = () => new Promise((r) => setTimeout(r, HALF_OPEN_AFTER_MS + 50));
  const breakerSettings = `
      resilience:
        retry: { max-attempts: 1 }
        circuit-breaker:
          enabled: true
          failure-rate-threshold: 0.5
          minimum-calls: 2
          sliding-window-size: 4
          half-open-after-ms: ${HALF_OPEN_AFTER_MS}`;

  beforeAll(async () => {
    await openai.start();
    await anthropic.start();
    gw = await startGateway({
      env: {
        OPENAI_API_KEY: FAKE_OPENAI_API_KEY,
        OPENAI_BASE_URL: openai.baseUrl,
        ANTHROPIC_API_KEY: FAKE_ANTHROPIC_API_KEY,
        ANTHROPIC_BASE_URL: anthropic.baseUrl,
        LOG_LEVEL: 'info',
      },
      logSink: logs,
      yaml: `
gateway:
  providers:
    openai:${breakerSettings}
    anthropic:${breakerSettings}
  routes:
    - model: resilient-chat
      providers:
        - provider: openai
          model: gpt-4o
      fallbacks:
        - provider: anthropic
          model: claude-sonnet-4-5
`,
    });
    gw.app.get(RoutingEvents).on('breaker-state', (event) => events.push(event));
  });
  afterEach(() => {
    openai.reset();
    anthropic.reset();
    events.length = 0;
  });
  afterAll(async () => {
    await gw.close();
    await openai.close();
    await anthropic.close();
  });

  it('opens after the configured failures, answers 503 without calling, half-opens and closes again', async () => {
    openai.failNext(500, { times: 2 });
    expect((await chat('gpt-4o')).status).toBe(502);
    expect((await chat('gpt-4o', 'trip-1')).status).toBe(502);

    const open = await chat('gpt-4o');
    expect(open.status).toBe(503);
    expect(open.body.error.code).toBe('provider_circuit_open');
    expect(open.body.error.type).toBe('provider_unavailable');
    expect(open.body.error.message).toContain("'openai'");
    expect(open.headers.get('retry-after')).toBe('1');
    expect(openai.requests).toHaveLength(2);

    await pastHalfOpen();
    const trial = await chat('gpt-4o', 'trial-1');
    expect(trial.status).toBe(200);
    expect((await chat('gpt-4o')).status).toBe(200);
    expect(openai.requests).toHaveLength(4);

    expect(events).toEqual([
      { type: 'breaker-state', provider: 'openai', state: 'open', traceId: 'trip-1' },
      { type: 'breaker-state', provider: 'openai', state: 'half-open', traceId: 'trial-1' },
      { type: 'breaker-state', provider: 'openai', state: 'closed', traceId: 'trial-1' },
    ]);
    const opened = logs.map((l) => JSON.parse(l)).find((l) => l.state === 'open');
    expect(opened).toMatchObject({ provider: 'openai', trace_id: 'trip-1', level: 40 });
  });

  it('is not tripped by upstream 429s', async () => {
    openai.failNext(429, { times: 4 });
    for (let i = 0; i < 4; i++) expect((await chat('gpt-4o')).status).toBe(429);
    expect((await chat('gpt-4o')).status).toBe(200);
    expect(openai.requests).toHaveLength(5);
    expect(events).toEqual([]);
  });

  it('falls over from an open breaker to the fallback', async () => {
    await openBreaker(openai, 'gpt-4o');
    const res = await chat('resilient-chat');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-gateway-provider')).toBe('anthropic');
    expect(res.headers.get('x-gateway-failover')).toBe('openai');
    expect(openai.requests).toHaveLength(0);

    await pastHalfOpen();
    expect((await chat('gpt-4o')).status).toBe(200);
  });

  it('answers 503 provider_circuit_open when every target of the route is open', async () => {
    await openBreaker(openai, 'gpt-4o');
    await openBreaker(anthropic, 'claude-sonnet-4-5');
    const res = await chat('resilient-chat');
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('provider_circuit_open');
    expect(res.body.error.message).toContain('openai, anthropic');
    expect(openai.requests).toHaveLength(0);
    expect(anthropic.requests).toHaveLength(0);

    await pastHalfOpen();
    expect((await chat('resilient-chat')).headers.get('x-gateway-provider')).toBe('openai');
    expect((await chat('claude-sonnet-4-5')).status).toBe(200);
  });
});
