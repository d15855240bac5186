import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { RateLimiter } from '../../src/governance/rate-limits/rate-limiter.service.js';
import { call, TOKEN } from '../helpers/admin-client.js';
import { type GatewayUnderTest, postJson, startGateway } from '../helpers/gateway-harness.js';
import { freePort, ThrowawayRedis } from '../helpers/throwaway-redis.js';

/**
 * Contract 11.4's failure mode: when Redis stops answering, calls are admitted on per-replica
 * counters (still limited), the failures are counted, readiness stays 200 naming Redis as
 * degraded, and everything returns to shared counters by itself once Redis is back.
 */
describe('rate limits when Redis goes away and comes back', () => {
  let redis: ThrowawayRedis;
  let gw: GatewayUnderTest;
  let key: string;
  let keyId: string;

  const chat = () =>
    postJson(
      `${gw.url}/v1/chat/completions`,
      { model: 'mock/echo', messages: [{ role: 'user', content: 'hi' }] },
      { authorization: `Bearer ${key}` },
    );
  const ready = async () => {
    const response = await fetch(`${gw.url}/health/ready`);
    return { status: response.status, body: (await response.json()) as any };
  };
  /** The bucket of this key's requests, as it sits in the throwaway Redis. */
  const bucketInRedis = async () => {
    const client = new Redis(redis.url, { lazyConnect: true, retryStrategy: () => null });
    try {
      await client.connect();
      return await client.exists(`gateway:rl:key:${keyId}:requests`);
    } finally {
      client.disconnect();
    }
  };

  beforeAll(async () => {
    const found = spawnSync('redis-server', ['--version']);
    if (found.error !== undefined) {
      throw new Error(
        `this suite needs redis-server on PATH (apt-get install redis-server): ${found.error.message}`,
      );
    }
    redis = new ThrowawayRedis(await freePort());
    await redis.start();
    gw = await startGateway({
      env: {
        MOCK_PROVIDER_ENABLED: 'true',
        GATEWAY_ADMIN_TOKEN: TOKEN,
        GATEWAY_REDIS_URL: redis.url,
      },
      yaml: 'gateway:\n  auth: { required: true }\n  providers:\n    mock: { latency-ms: 0 }\n',
    });
    expect(
      (await call(gw, 'POST', '/v1/admin/tenants', { body: { id: 'acme', name: 'A' } })).status,
    ).toBe(201);
    const issued = await call(gw, 'POST', '/v1/admin/tenants/acme/keys', {
      body: { rate_limits: { requests_per_minute: 3 } },
    });
    key = issued.body.key;
    keyId = issued.body.id;
  }, 30_000);

  afterAll(async () => {
    await gw?.close();
    await redis?.stop();
  });

  it('counts per replica while Redis is down, stays ready (degraded), and recovers by itself', async () => {
    const limiter = gw.app.get(RateLimiter);
    expect((await chat()).status).toBe(200);
    expect(await bucketInRedis()).toBe(1);
    expect(limiter.degraded).toBe(false);
    expect((await ready()).body.details.redis.status).toBe('up');

    await redis.stop();
    // Calls go on, promptly, on this replica's own counters (empty: they start afresh).
    const started = performance.now();
    const during = [];
    for (let i = 0; i < 4; i++) during.push((await chat()).status);
    expect(performance.now() - started).toBeLessThan(4_000);
    expect(during).toEqual([200, 200, 200, 429]);
    expect(limiter.errorCount).toBeGreaterThanOrEqual(4);
    expect(limiter.degraded).toBe(true);

    const degraded = await ready();
    expect(degraded.status).toBe(200);
    expect(degraded.body.status).toBe('degraded');
    expect(degraded.body.details.redis).toMatchObject({ status: 'degraded' });
    expect(degraded.body.details.database.status).toBe('up');

    await redis.start();
    // ioredis reconnects on its own; the limiter tries Redis again a second after a failure.
    const deadline = Date.now() + 15_000;
    while (limiter.degraded && Date.now() < deadline) {
      await chat();
      await sleep(200);
    }
    expect(limiter.degraded).toBe(false);
    // The fresh Redis holds the key's bucket again: counting is shared once more.
    expect(await bucketInRedis()).toBe(1);
    const recovered = await ready();
    expect(recovered.status).toBe(200);
    expect(recovered.body.details.redis.status).toBe('up');
  }, 40_000);
});
