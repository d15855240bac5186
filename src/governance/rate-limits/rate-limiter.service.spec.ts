import { MemoryRateLimitStore } from './memory-rate-limit.store.js';
import type { Admission, BucketChange, BucketDemand } from './rate-limit.types.js';
import type { RedisRateLimitStore } from './redis-rate-limit.store.js';
import { RateLimiter } from './rate-limiter.service.js';

/** A Redis store the test can break and mend. */
class FlakyShared {
  ready = true;
  failing = false;
  admits = 0;
  adjusted: BucketChange[] = [];
  private readonly inner = new MemoryRateLimitStore();
  readonly runner = {};

  /** The admission as a step of a batch: what the limiter hands the rate-limit stage. */
  step(demands: readonly BucketDemand[]) {
    return {
      fragment: { name: 'rate-limits', lua: '' },
      keys: demands.map((d) => d.key),
      args: [],
    };
  }

  /** A batch reply stands for the admission the test scripts. */
  admission(reply: readonly unknown[]): Admission {
    return reply[0] as Admission;
  }

  admit(demands: readonly BucketDemand[]): Promise<Admission> {
    this.admits += 1;
    if (this.failing) return Promise.reject(new Error('connection reset'));
    return Promise.resolve(this.inner.admit(demands));
  }

  adjust(changes: readonly BucketChange[]): Promise<void> {
    if (this.failing) return Promise.reject(new Error('connection reset'));
    this.adjusted.push(...changes);
    return Promise.resolve();
  }
}

describe(RateLimiter.name, () => {
  const demand: BucketDemand[] = [{ key: 'rl:key:k:requests', limit: 2, cost: 1 }];
  let now: number;
  let shared: FlakyShared;
  let memory: MemoryRateLimitStore;
  let limiter: RateLimiter;

  beforeEach(() => {
    now = 1_000_000;
    shared = new FlakyShared();
    memory = new MemoryRateLimitStore(() => now);
    limiter = new RateLimiter(memory, shared as unknown as RedisRateLimitStore, () => now);
  });

  it('counts in memory, synchronously, when Redis is not configured', () => {
    const alone = new RateLimiter(memory, undefined, () => now);
    const placed = alone.admit(demand);
    expect(placed).not.toBeInstanceOf(Promise);
    expect(alone.shared).toBe(false);
    expect(alone.degraded).toBe(false);
  });

  it('uses Redis while it answers, and settles where the reservation was taken', async () => {
    const placed = await limiter.admit(demand);
    expect(placed.store).toBe(shared);
    limiter.adjust(placed.store, [{ key: 'k', limit: 2, delta: -1 }]);
    await Promise.resolve();
    expect(shared.adjusted).toHaveLength(1);
    expect(limiter.errorCount).toBe(0);
    expect(limiter.degraded).toBe(false);
  });

  it('falls back to per-replica counters when Redis fails, counts it, and recovers by itself', async () => {
    shared.failing = true;
    const first = await limiter.admit(demand);
    expect(first.store).toBe(memory);
    expect(first.admission.admitted).toBe(true);
    expect(limiter.errorCount).toBe(1);
    expect(limiter.degraded).toBe(true);

    // Within a second of the failure Redis is not even asked: no call waits on a dead Redis.
    const asked = shared.admits;
    now += 500;
    expect((await limiter.admit(demand)).store).toBe(memory);
    expect(shared.admits).toBe(asked);
    expect(limiter.errorCount).toBe(2);
    // The per-replica counters still limit.
    expect((await limiter.admit(demand)).admission.admitted).toBe(false);

    shared.failing = false;
    now += 1_000;
    const back = await limiter.admit(demand);
    expect(back.store).toBe(shared);
    expect(limiter.degraded).toBe(false);
    expect(limiter.errorCount).toBe(3);
  });

  it('falls back at once while the connection is down', async () => {
    shared.ready = false;
    expect((await limiter.admit(demand)).store).toBe(memory);
    expect(shared.admits).toBe(0);
    expect(limiter.degraded).toBe(true);
  });

  it('counts a settlement Redis did not take, and never throws it into the call', async () => {
    const placed = await limiter.admit(demand);
    shared.failing = true;
    expect(() => limiter.adjust(placed.store, [{ key: 'k', limit: 2, delta: -1 }])).not.toThrow();
    await new Promise((done) => setImmediate(done));
    expect(limiter.errorCount).toBe(1);
  });

  it('plans a Redis step the batch of the call decides, falling back to memory when the batch fails', () => {
    const plan = limiter.plan(demand);
    if ('placed' in plan) throw new Error('expected a Redis step');
    expect(plan.step.keys).toEqual(['rl:key:k:requests']);
    const scripted: Admission = {
      admitted: true,
      now,
      buckets: [{ remaining: 1, waitMs: 0, resetMs: 1 }],
    };
    expect(plan.answered([scripted])).toEqual({ admission: scripted, store: shared });
    expect(limiter.errorCount).toBe(0);

    const failed = limiter.plan(demand);
    if ('placed' in failed) throw new Error('expected a Redis step');
    const placed = failed.failed(new Error('connection reset'));
    expect(placed.store).toBe(memory);
    expect(limiter.errorCount).toBe(1);
    expect(limiter.degraded).toBe(true);
    // Within a second of the failure, the next call is counted in memory at once.
    expect('placed' in limiter.plan(demand)).toBe(true);
  });
});
