import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { RateLimiter } from '../../src/governance/rate-limits/rate-limiter.service.js';
import { call, TOKEN } from '../helpers/admin-client.js';
import { type GatewayUnderTest, postJson, startGateway } from '../helpers/gateway-harness.js';

/** A Redis of this suite's own, which it can stop and start again on the same port. */
class ThrowawayRedis {
  private child?: ChildProcess;

  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  async start(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    this.child = child;
    const probe = new Redis(this.url, { lazyConnect: true, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      for (let i = 0; i < 100; i++) {
        if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
        const up = await probe.connect().then(
          () => true,
          () => false,
        );
        if (up) return;
        await sleep(50);
      }
      throw new Error(`redis-server on port ${this.port} did not answer in 5 s`);
    } finally {
      probe.disconnect();
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGKILL');
    await exited;
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise((done) => server.close(done));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

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
