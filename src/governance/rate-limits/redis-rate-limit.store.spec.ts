import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { TEST_REDIS_URL } from '../../../test/helpers/storage-harness.js';
import { RedisStepRunner } from '../../storage/redis-step.runner.js';
import type { LuaFragment } from '../../storage/redis-step.types.js';
import { RedisRateLimitStore } from './redis-rate-limit.store.js';
import type { BucketDemand } from './rate-limit.types.js';

/** The Lua side of the window against the real Redis (services.md), under a prefix of its own. */
describe(RedisRateLimitStore.name, () => {
  let redis: Redis;
  let store: RedisRateLimitStore;
  let runner: RedisStepRunner;
  const prefix = `gw-test-rl-${randomBytes(4).toString('hex')}:`;

  beforeAll(async () => {
    redis = new Redis(TEST_REDIS_URL, {
      keyPrefix: prefix,
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      connectTimeout: 3_000,
      retryStrategy: () => null,
    });
    await redis.connect().catch((err: unknown) => {
      throw new Error(`Redis at ${TEST_REDIS_URL} is not reachable (services.md): ${String(err)}`);
    });
    runner = new RedisStepRunner(redis);
    store = new RedisRateLimitStore(runner);
  });

  afterAll(async () => {
    // KEYS answers full names; DEL through the prefixed client would prefix them again.
    const keys = (await redis.keys('*')).map((key) => key.slice(prefix.length));
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  const requests = (id: string, limit: number): BucketDemand => ({
    key: `rl:key:${id}:requests`,
    limit,
    cost: 1,
  });

  it('admits exactly the limit out of 100 simultaneous calls', async () => {
    const results = await Promise.all(
      Array.from({ length: 100 }, () => store.admit([requests('burst', 20)])),
    );
    expect(results.filter((r) => r.admitted)).toHaveLength(20);
    const refused = results.find((r) => !r.admitted)!;
    expect(refused.buckets[0].remaining).toBe(0);
    expect(refused.buckets[0].waitMs).toBeGreaterThan(0);
    expect(refused.buckets[0].waitMs).toBeLessThanOrEqual(3_000);
  });

  it('checks and reserves every bucket of a call at once, all or nothing', async () => {
    const tokens: BucketDemand = { key: 'rl:tenant:t1:tokens', limit: 100, cost: 90 };
    expect((await store.admit([requests('a', 10), tokens])).admitted).toBe(true);
    const refused = await store.admit([requests('a', 10), tokens]);
    expect(refused.admitted).toBe(false);
    expect(refused.buckets[0]).toMatchObject({ remaining: 9, waitMs: 0 });
    expect(refused.buckets[1].remaining).toBe(10);
    const after = await store.admit([requests('a', 10)]);
    expect(after.buckets[0].remaining).toBe(8);
  });

  it('settles tokens back, never below empty, and deletes a bucket settled to empty', async () => {
    const tokens: BucketDemand = { key: 'rl:key:s:tokens', limit: 1_000, cost: 800 };
    await store.admit([tokens]);
    await store.adjust([{ key: tokens.key, limit: 1_000, delta: -700 }]);
    const probe = await store.admit([{ ...tokens, cost: 0 }]);
    expect(probe.buckets[0].remaining).toBeGreaterThanOrEqual(900);
    await store.adjust([{ key: tokens.key, limit: 1_000, delta: -10_000 }]);
    expect(await redis.exists(tokens.key)).toBe(0);
    expect((await store.admit([{ ...tokens, cost: 1_000 }])).admitted).toBe(true);
  });

  it('lets a bucket expire once it would have drained empty', async () => {
    await store.admit([requests('ttl', 60)]);
    const ttl = await redis.pttl('rl:key:ttl:requests');
    // One request of 60 per minute drains in one second, plus a second of margin.
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(2_000);
  });

  it('in a batch a later step refuses, keeps the request permit and takes no tokens', async () => {
    const refuses: LuaFragment = {
      name: 'refuses',
      lua: `local step = {}
function step.check() return 0, 0 end
function step.answer() return {0} end
return step`,
    };
    const demands: BucketDemand[] = [
      { ...requests('later', 10), kept: true },
      { key: 'rl:key:later:tokens', limit: 1_000, cost: 400 },
    ];
    const batch = await runner.run([
      store.step(demands),
      { fragment: refuses, keys: [], args: [] },
    ]);
    if (!batch.decided) throw new Error('expected a decision');
    const admission = store.admission(batch.replies[0]);
    expect(admission).toMatchObject({ admitted: true, partial: true });
    expect(admission.buckets.map((b) => b.remaining)).toEqual([9, 1_000]);
    expect(await redis.exists('rl:key:later:requests')).toBe(1);
    expect(await redis.exists('rl:key:later:tokens')).toBe(0);
  });
});
