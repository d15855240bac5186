import { Logger } from '@nestjs/common';
import type { RedisStepRunner } from '../../storage/redis-step.runner.js';
import type { RedisStep } from '../../storage/redis-step.types.js';
import { MemoryRateLimitStore } from './memory-rate-limit.store.js';
import type { RateLimitStore } from './rate-limit.store.js';
import type { RedisRateLimitStore } from './redis-rate-limit.store.js';
import type { Admission, BucketChange, BucketDemand, Clock } from './rate-limit.types.js';

/** After a Redis failure, calls count in memory this long before Redis is tried again. */
const RETRY_REDIS_AFTER_MS = 1_000;

/** An admission and the store that holds its reservation (where it must be settled). */
export interface Placed {
  readonly admission: Admission;
  readonly store: RateLimitStore;
}

/**
 * How a call's buckets are counted: decided now (in memory: no Redis, or Redis failing), or as a
 * step of the call's Redis batch, decided when the batch answers or fails.
 */
export type RateLimitPlan =
  | { readonly placed: Placed }
  | {
      readonly runner: RedisStepRunner;
      readonly step: RedisStep;
      /** The placement the step's reply stands for. */
      answered(reply: readonly unknown[]): Placed;
      /** The batch failed: the call is counted on this replica's own counters. */
      failed(error: unknown): Placed;
    };

/**
 * Picks the store for each call: Redis when configured and answering, else process memory.
 * When Redis fails (an error, no answer in time, a dropped connection) the call is admitted on
 * this replica's own counters, the failure is counted, and Redis is tried again a second later:
 * recovery needs nobody. A reservation is always settled in the store that took it.
 */
export class RateLimiter {
  private readonly logger = new Logger('RateLimits');
  private errors = 0;
  private failedAt: number | undefined;

  constructor(
    private readonly memory: MemoryRateLimitStore,
    private readonly redis: RedisRateLimitStore | undefined,
    private readonly clock: Clock = Date.now,
  ) {}

  /**
   * Calls decided on per-replica counters because Redis failed, and settlements Redis did not
   * take: what `gateway_rate_limit_errors_total` reports.
   */
  get errorCount(): number {
    return this.errors;
  }

  /** Whether counters are shared by every replica (Redis configured). */
  get shared(): boolean {
    return this.redis !== undefined;
  }

  /** Redis is configured but calls are counted per replica for now. */
  get degraded(): boolean {
    return this.redis !== undefined && (this.failedAt !== undefined || !this.redis.ready);
  }

  /** How `demands` are counted (see {@link RateLimitPlan}). */
  plan(demands: readonly BucketDemand[]): RateLimitPlan {
    const redis = this.redis;
    if (redis === undefined) {
      return { placed: { admission: this.memory.admit(demands), store: this.memory } };
    }
    if (!redis.ready) {
      this.failed('the connection is down');
      return { placed: this.fallback(demands) };
    }
    if (this.failedAt !== undefined && this.clock() - this.failedAt < RETRY_REDIS_AFTER_MS) {
      return { placed: this.fallback(demands) };
    }
    return {
      runner: redis.runner,
      step: redis.step(demands),
      answered: (reply) => this.placed(redis, redis.admission(reply)),
      failed: (error) => {
        this.failed(error);
        return this.fallback(demands);
      },
    };
  }

  /** Counts `demands` on their own, in Redis when it answers. */
  admit(demands: readonly BucketDemand[]): Placed | Promise<Placed> {
    const plan = this.plan(demands);
    if ('placed' in plan) return plan.placed;
    const redis = this.redis!;
    return redis.admit(demands).then(
      (admission) => this.placed(redis, admission),
      (error: unknown) => plan.failed(error),
    );
  }

  /** Settles a reservation where it was taken; never throws (a lost settlement drains away). */
  adjust(store: RateLimitStore, changes: readonly BucketChange[]): void {
    let done: void | Promise<void>;
    const lost = (error: unknown) => {
      this.errors += 1;
      this.failed(error);
    };
    try {
      done = store.adjust(changes);
    } catch (error) {
      lost(error);
      return;
    }
    if (done instanceof Promise) done.catch(lost);
  }

  private placed(redis: RedisRateLimitStore, admission: Admission): Placed {
    this.recovered();
    return { admission, store: redis };
  }

  private fallback(demands: readonly BucketDemand[]): Placed {
    this.errors += 1;
    return { admission: this.memory.admit(demands), store: this.memory };
  }

  private failed(error: unknown): void {
    if (this.failedAt === undefined) {
      this.logger.warn(
        `Redis failed for rate limiting (${error instanceof Error ? error.message : String(error)}): ` +
          'counting per replica until it answers again',
      );
    }
    this.failedAt = this.clock();
  }

  private recovered(): void {
    if (this.failedAt === undefined) return;
    this.failedAt = undefined;
    this.logger.log('Redis answers again: rate limits are shared by every replica again');
  }
}
