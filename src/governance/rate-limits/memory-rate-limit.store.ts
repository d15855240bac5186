import { drainMs, fits, levelAt, remaining, waitMs, type BucketState } from './gcra.js';
import { RateLimitStore } from './rate-limit.store.js';
import {
  type Admission,
  type BucketChange,
  type BucketDemand,
  type BucketReading,
  type Clock,
  WINDOW_MS,
} from './rate-limit.types.js';

interface Bucket extends BucketState {
  /** The limit it last drained at, for the sweep. */
  limit: number;
  /** The write count when it was last written. */
  written: number;
  /** The write count when it took its place in the map's order (at or before {@link written}). */
  placed: number;
}

/** Far more buckets (keys and tenants busy in the last minute) than a replica serves. */
const MAX_BUCKETS = 100_000;

/**
 * Buckets in process memory: the store without Redis, and every replica's fallback while Redis
 * does not answer. Memory is bounded: a bucket drained empty is forgotten (swept at most once a
 * window, and whenever the map reaches its cap), so neither idle keys nor a flood of refused
 * calls (which never create a bucket) make it grow.
 */
export class MemoryRateLimitStore extends RateLimitStore {
  private readonly buckets = new Map<string, Bucket>();
  private lastSweep: number;
  /** Writes so far: orders buckets by their last write. */
  private writes = 0;

  constructor(
    private readonly clock: Clock = Date.now,
    private readonly maxBuckets = MAX_BUCKETS,
  ) {
    super();
    this.lastSweep = clock();
  }

  /** Buckets held (for tests and diagnostics). */
  get size(): number {
    return this.buckets.size;
  }

  admit(demands: readonly BucketDemand[]): Admission {
    const now = this.clock();
    this.sweepIfDue(now);
    const levels = demands.map((d) => levelAt(this.buckets.get(d.key), d.limit, WINDOW_MS, now));
    const admitted = demands.every((d, i) => fits(levels[i], d.cost, d.limit));
    const buckets: BucketReading[] = demands.map((d, i) => {
      const level = admitted ? levels[i] + d.cost : levels[i];
      if (admitted) this.store(d.key, level, now, d.limit);
      return {
        remaining: remaining(level, d.limit),
        waitMs: admitted ? 0 : waitMs(level, d.cost, d.limit, WINDOW_MS),
        resetMs: drainMs(level, d.limit, WINDOW_MS),
      };
    });
    return { admitted, now, buckets };
  }

  adjust(changes: readonly BucketChange[]): void {
    const now = this.clock();
    for (const change of changes) {
      const bucket = this.buckets.get(change.key);
      const level = Math.max(0, levelAt(bucket, change.limit, WINDOW_MS, now) + change.delta);
      if (level === 0) this.buckets.delete(change.key);
      else this.store(change.key, level, now, change.limit);
    }
  }

  /** Forgets every bucket drained empty. */
  sweep(now = this.clock()): void {
    this.lastSweep = now;
    for (const [key, bucket] of this.buckets) {
      if (levelAt(bucket, bucket.limit, WINDOW_MS, now) === 0) this.buckets.delete(key);
    }
  }

  /**
   * Writes a bucket in place. The map's order is the order buckets were placed, not last written
   * (moving an entry on every write costs a delete and an insert per call, and leaves V8's map a
   * hole to skip); eviction puts a bucket written since its placing at the end instead of
   * forgetting it, so the bucket forgotten is still the least recently written.
   */
  private store(key: string, level: number, now: number, limit: number): void {
    const written = ++this.writes;
    const bucket = this.buckets.get(key);
    if (bucket !== undefined) {
      bucket.level = level;
      bucket.updatedAt = now;
      bucket.limit = limit;
      bucket.written = written;
      return;
    }
    if (this.buckets.size >= this.maxBuckets) {
      this.sweep();
      // Still full of live buckets: forget the one least recently written.
      if (this.buckets.size >= this.maxBuckets) this.evictLeastRecentlyWritten();
    }
    this.buckets.set(key, { level, updatedAt: now, limit, written, placed: written });
  }

  /**
   * The first bucket in the map not written since it was placed is the least recently written:
   * every bucket after it was placed (and so written) later. Buckets written since their placing
   * move to the end, placed anew at their last write.
   */
  private evictLeastRecentlyWritten(): void {
    for (const [key, bucket] of this.buckets) {
      this.buckets.delete(key);
      if (bucket.written === bucket.placed) return;
      bucket.placed = bucket.written;
      this.buckets.set(key, bucket);
    }
  }

  private sweepIfDue(now: number): void {
    if (now - this.lastSweep >= WINDOW_MS) this.sweep(now);
  }
}
