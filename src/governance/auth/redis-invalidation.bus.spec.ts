import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { KeyInvalidation } from './key-invalidation.bus.js';
import { RedisInvalidationBus } from './redis-invalidation.bus.js';

const REDIS_URL = 'redis://127.0.0.1:6379/0';

async function connect(): Promise<Redis> {
  const redis = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
  });
  try {
    await redis.connect();
  } catch {
    throw new Error(
      'Redis at 127.0.0.1:6379 is not reachable: start it as ../shared/docs/services.md says',
    );
  }
  return redis;
}

/** Two replicas on one real Redis: what one revokes, the other forgets. */
describe(RedisInvalidationBus.name, () => {
  const channel = `gateway-test:${randomUUID()}:auth-invalidate`;
  const connections: Redis[] = [];
  let replicaA: RedisInvalidationBus;
  let replicaB: RedisInvalidationBus;

  beforeAll(async () => {
    for (let i = 0; i < 4; i++) connections.push(await connect());
    replicaA = new RedisInvalidationBus(connections[0], connections[1], channel);
    replicaB = new RedisInvalidationBus(connections[2], connections[3], channel);
    await replicaA.start();
    await replicaB.start();
  });
  afterAll(async () => {
    await Promise.all(connections.map((c) => c.quit()));
  });

  const next = (bus: RedisInvalidationBus) =>
    new Promise<KeyInvalidation>((resolve) => bus.subscribe(resolve));

  it('delivers a key invalidation to the other replica', async () => {
    const heard = next(replicaB);
    await replicaA.publish({ kind: 'key', keyId: 'key_1' });
    await expect(heard).resolves.toEqual({ kind: 'key', keyId: 'key_1' });
  });

  it('delivers a tenant invalidation, and tells the publishing replica at once', async () => {
    const local: KeyInvalidation[] = [];
    replicaA.subscribe((i) => local.push(i));
    const heard = next(replicaB);
    await replicaA.publish({ kind: 'tenant', tenantId: 'acme' });
    expect(local).toContainEqual({ kind: 'tenant', tenantId: 'acme' });
    await expect(heard).resolves.toEqual({ kind: 'tenant', tenantId: 'acme' });
  });

  it('ignores malformed messages on the channel', async () => {
    const heard: KeyInvalidation[] = [];
    replicaB.subscribe((i) => heard.push(i));
    await connections[0].publish(channel, 'not json');
    await connections[0].publish(
      channel,
      JSON.stringify({ origin: 'x', invalidation: { kind: 'other' } }),
    );
    const marker = next(replicaB);
    await replicaA.publish({ kind: 'key', keyId: 'key_after' });
    await marker;
    expect(heard).toEqual([{ kind: 'key', keyId: 'key_after' }]);
  });
});
