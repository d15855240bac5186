import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { FAKE_OPENAI_API_KEY, FakeOpenAiServer } from '../fakes/fake-openai.server.js';
import { type GatewayUnderTest, postJson, startGateway } from '../helpers/gateway-harness.js';
import { freePort, ThrowawayRedis } from '../helpers/throwaway-redis.js';

/**
 * The shared breaker's failure mode (contract 13): with Redis gone, a replica still judges the
 * provider with its own breaker (fail safe), says so in the log, and shares again once Redis is
 * back: a breaker that opens afterwards is in Redis for the other replicas.
 */
describe('circuit breakers when Redis goes away and comes back', () => {
  const openai = new FakeOpenAiServer();
  const logs: string[] = [];
  let redis: ThrowawayRedis;
  let gw: GatewayUnderTest;

  const chat = async () =>
    (
      await postJson(`${gw.url}/v1/chat/completions`, {
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'Hello' }],
      })
    ).status;
  const breakerInRedis = async () => {
    const client = new Redis(redis.url, { lazyConnect: true, retryStrategy: () => null });
    try {
      await client.connect();
      return await client.exists('gateway:breaker:openai');
    } finally {
      client.disconnect();
    }
  };
  const loggedMessage = (text: string) =>
    logs.some((line) => (JSON.parse(line) as { msg?: string }).msg?.startsWith(text) === true);
  /** Fails the upstream until the breaker answers 503 (how many calls that takes depends on the window). */
  const tripBreaker = async () => {
    openai.failNext(500, { times: 4 });
    let status = 0;
    for (let i = 0; i < 4 && status !== 503; i++) status = await chat();
    expect(status).toBe(503);
    openai.reset();
  };

  beforeAll(async () => {
    const found = spawnSync('redis-server', ['--version']);
    if (found.error !== undefined) {
      throw new Error(`this suite needs redis-server on PATH: ${found.error.message}`);
    }
    redis = new ThrowawayRedis(await freePort());
    await redis.start();
    await openai.start();
    gw = await startGateway({
      env: {
        OPENAI_API_KEY: FAKE_OPENAI_API_KEY,
        OPENAI_BASE_URL: openai.baseUrl,
        GATEWAY_REDIS_URL: redis.url,
        LOG_LEVEL: 'info',
      },
      logSink: logs,
      yaml: [
        'gateway:',
        '  resilience:',
        '    retry: { max-attempts: 1 }',
        '    circuit-breaker:',
        '      enabled: true',
        '      minimum-calls: 2',
        '      sliding-window-size: 4',
        '      half-open-after-ms: 500',
      ].join('\n'),
    });
  }, 30_000);

  afterAll(async () => {
    await gw?.close();
    await openai.close();
    await redis?.stop();
  });

  it('keeps its own breaker while Redis is down, logs it, and shares again once Redis is back', async () => {
    await redis.stop();
    await tripBreaker();
    const deadline = Date.now() + 15_000;
    while (!loggedMessage('Circuit breaker state is not shared over Redis')) {
      if (Date.now() > deadline) throw new Error(`no outage line logged:\n${logs.join('\n')}`);
      await sleep(50);
    }
    await sleep(600);
    expect(await chat()).toBe(200);

    await redis.start();
    while (!loggedMessage('Circuit breaker state is shared over Redis again')) {
      if (Date.now() > deadline) throw new Error(`no recovery line logged:\n${logs.join('\n')}`);
      await sleep(50);
    }
    await tripBreaker();
    const shared = Date.now() + 5_000;
    while ((await breakerInRedis()) === 0 && Date.now() < shared) await sleep(50);
    expect(await breakerInRedis()).toBe(1);
  }, 40_000);
});
