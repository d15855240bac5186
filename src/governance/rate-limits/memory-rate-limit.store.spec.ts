import { MemoryRateLimitStore } from './memory-rate-limit.store.js';
import type { BucketDemand } from './rate-limit.types.js';

/** The GCRA window (gcra.ts) through the in-memory store, on a clock the test moves. */
describe(MemoryRateLimitStore.name, () => {
  let now: number;
  let store: MemoryRateLimitStore;
  const requests = (limit: number, key = 'rl:key:k1:requests'): BucketDemand => ({
    key,
    limit,
    cost: 1,
  });
  const tokens = (limit: number, cost: number, key = 'rl:key:k1:tokens'): BucketDemand => ({
    key,
    limit,
    cost,
  });

  beforeEach(() => {
    now = Date.parse('2026-12-07T00:00:00Z');
    store = new MemoryRateLimitStore(() => now);
  });

  it('admits exactly the limit from a full window, at the same instant', () => {
    const results = Array.from({ length: 30 }, () => store.admit([requests(20)]));
    expect(results.filter((r) => r.admitted)).toHaveLength(20);
    expect(results.slice(0, 20).every((r) => r.admitted)).toBe(true);
    expect(results[19].buckets[0]).toMatchObject({ remaining: 0, waitMs: 0, resetMs: 60_000 });
    // The 21st waits one emission interval (60 s / 20) for one request to drain.
    expect(results[20].buckets[0]).toMatchObject({ remaining: 0, waitMs: 3_000 });
  });

  it('drains continuously: one more request every window/limit, the whole limit after a window', () => {
    for (let i = 0; i < 20; i++) store.admit([requests(20)]);
    now += 2_999;
    expect(store.admit([requests(20)]).admitted).toBe(false);
    now += 1;
    expect(store.admit([requests(20)]).admitted).toBe(true);
    expect(store.admit([requests(20)]).admitted).toBe(false);
    now += 60_000;
    const burst = Array.from({ length: 25 }, () => store.admit([requests(20)]).admitted);
    expect(burst.filter(Boolean)).toHaveLength(20);
  });

  it('reports what is left after each admitted call', () => {
    expect(store.admit([requests(3)]).buckets[0].remaining).toBe(2);
    expect(store.admit([requests(3)]).buckets[0].remaining).toBe(1);
    now += 20_000; // one request drained
    expect(store.admit([requests(3)]).buckets[0].remaining).toBe(1);
  });

  it('counts tokens by cost, and says how long until a refused cost fits', () => {
    expect(store.admit([tokens(1_000, 600)]).admitted).toBe(true);
    const refused = store.admit([tokens(1_000, 600)]);
    expect(refused.admitted).toBe(false);
    // 200 tokens over: 200/1000 of a minute.
    expect(refused.buckets[0]).toMatchObject({ remaining: 400, waitMs: 12_000, resetMs: 36_000 });
    now += 12_000;
    expect(store.admit([tokens(1_000, 600)]).admitted).toBe(true);
  });

  it('admits a call larger than the whole limit only into an empty bucket', () => {
    expect(store.admit([tokens(1_000, 5_000)]).admitted).toBe(true);
    // 5000 in a 1000/min bucket: empty again in five minutes.
    const refused = store.admit([tokens(1_000, 1)]);
    expect(refused.admitted).toBe(false);
    expect(refused.buckets[0].waitMs).toBe(4 * 60_000 + 60);
    now += 5 * 60_000;
    expect(store.admit([tokens(1_000, 5_000)]).admitted).toBe(true);
  });

  it('is all or nothing: a bucket that refuses leaves the others untouched', () => {
    store.admit([tokens(100, 100)]);
    const refused = store.admit([requests(5), tokens(100, 10)]);
    expect(refused.admitted).toBe(false);
    expect(refused.buckets[0]).toMatchObject({ remaining: 5, waitMs: 0 });
    expect(refused.buckets[1].waitMs).toBeGreaterThan(0);
    // The refused call took no request permit.
    const next = store.admit([requests(5)]);
    expect(next.buckets[0].remaining).toBe(4);
  });

  it('settles: gives tokens back, or charges what was used beyond the reservation', () => {
    store.admit([tokens(1_000, 800)]);
    store.adjust([{ key: 'rl:key:k1:tokens', limit: 1_000, delta: -700 }]);
    expect(store.admit([tokens(1_000, 0)]).buckets[0].remaining).toBe(900);
    store.adjust([{ key: 'rl:key:k1:tokens', limit: 1_000, delta: 500 }]);
    expect(store.admit([tokens(1_000, 0)]).buckets[0].remaining).toBe(400);
  });

  it('never goes below empty, whatever is given back', () => {
    store.admit([tokens(1_000, 100)]);
    now += 30_000; // the 100 drained long ago
    store.adjust([{ key: 'rl:key:k1:tokens', limit: 1_000, delta: -100 }]);
    store.adjust([{ key: 'rl:key:k1:tokens', limit: 1_000, delta: -5_000 }]);
    store.adjust([{ key: 'rl:unknown:tokens', limit: 1_000, delta: -5 }]);
    const burst = store.admit([tokens(1_000, 1_000)]);
    expect(burst.admitted).toBe(true);
    expect(store.admit([tokens(1_000, 1)]).admitted).toBe(false);
  });

  it('drains nothing when the clock goes back', () => {
    for (let i = 0; i < 2; i++) store.admit([requests(2)]);
    now -= 10_000;
    expect(store.admit([requests(2)]).admitted).toBe(false);
  });

  it('forgets buckets once drained, so idle keys and refusal floods hold no memory', () => {
    for (let i = 0; i < 1_000; i++) store.admit([requests(10, `rl:key:k${i}:requests`)]);
    expect(store.size).toBe(1_000);
    // A flood of refusals on one full bucket creates nothing.
    for (let i = 0; i < 10; i++) store.admit([requests(10, 'rl:key:hot:requests')]);
    for (let i = 0; i < 10_000; i++) store.admit([requests(10, 'rl:key:hot:requests')]);
    expect(store.size).toBe(1_001);
    now += 60_000;
    store.admit([requests(10, 'rl:key:fresh:requests')]);
    expect(store.size).toBe(1);
  });

  it('holds at most its cap of buckets, forgetting the least recently written', () => {
    const small = new MemoryRateLimitStore(() => now, 3);
    for (const id of ['a', 'b', 'c']) small.admit([requests(1, id)]);
    small.admit([requests(1, 'd')]);
    expect(small.size).toBe(3);
    // 'a' was forgotten: it admits again.
    expect(small.admit([requests(1, 'a')]).admitted).toBe(true);
    expect(small.admit([requests(1, 'c')]).admitted).toBe(false);
  });

  it('forgets the least recently written bucket, not the one created first', () => {
    const small = new MemoryRateLimitStore(() => now, 3);
    for (const id of ['a', 'b', 'c']) small.admit([requests(2, id)]);
    // 'a' is written again (and 'b' given back to, which writes it too): 'c' is now the oldest write.
    small.admit([requests(2, 'a')]);
    small.adjust([{ key: 'b', delta: 0.5, limit: 2 }]);
    small.admit([requests(2, 'd')]);
    expect(small.size).toBe(3);
    // 'a' and 'b' kept their levels (refusals write nothing).
    expect(small.admit([requests(2, 'a')]).admitted).toBe(false);
    expect(small.admit([requests(2, 'b')]).admitted).toBe(false);
    // 'c' was forgotten, and placing it again forgets 'a' (written before 'b' and 'd').
    expect(small.admit([requests(2, 'c')]).admitted).toBe(true);
    expect(small.admit([requests(2, 'b')]).admitted).toBe(false);
    expect(small.admit([requests(2, 'a')]).admitted).toBe(true);
  });
});
