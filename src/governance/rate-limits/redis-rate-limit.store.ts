import type { RedisStepRunner } from '../../storage/redis-step.runner.js';
import type { RedisStep } from '../../storage/redis-step.types.js';
import { RateLimitStore } from './rate-limit.store.js';
import { ADJUST_SCRIPT, ADMIT_FRAGMENT } from './rate-limit.scripts.js';
import {
  type Admission,
  type BucketChange,
  type BucketDemand,
  type BucketReading,
  WINDOW_MS,
} from './rate-limit.types.js';

/**
 * Buckets in Redis, shared by every replica. An admission is one step (every bucket of the call
 * checked and reserved atomically) of the call's batch, which the runner sends with the call's
 * other counter steps (budgets) as one script, one round trip; settlements are queued writes that
 * leave the request path. A Redis that does not answer within the runner's deadline is treated as
 * down for the call, which is then counted in memory.
 */
export class RedisRateLimitStore extends RateLimitStore {
  constructor(readonly runner: RedisStepRunner) {
    super();
  }

  /** Whether the connection is up: when not, calls fall back at once rather than queue. */
  get ready(): boolean {
    return this.runner.ready;
  }

  /** The admission of `demands` as a step of the call's batch. */
  step(demands: readonly BucketDemand[]): RedisStep {
    const args: (string | number)[] = [WINDOW_MS];
    for (const d of demands) args.push(d.limit, d.cost, d.kept === true ? 1 : 0);
    return {
      fragment: ADMIT_FRAGMENT,
      keys: demands.map((d) => d.key),
      args,
    };
  }

  /** The admission a step's reply stands for. */
  admission(reply: readonly unknown[]): Admission {
    const numbers = reply.map(Number);
    const buckets: BucketReading[] = [];
    for (let i = 3; i + 2 < numbers.length; i += 3) {
      buckets.push({ remaining: numbers[i], waitMs: numbers[i + 1], resetMs: numbers[i + 2] });
    }
    const admitted = numbers[0] === 1;
    return {
      admitted,
      now: numbers[1],
      buckets,
      ...(admitted && numbers[2] === 0 ? { partial: true } : {}),
    };
  }

  /** An admission on its own (a batch of one step). */
  async admit(demands: readonly BucketDemand[]): Promise<Admission> {
    const batch = await this.runner.run([this.step(demands)]);
    if (!batch.decided) throw new Error('the rate-limit step cannot be undecided');
    return this.admission(batch.replies[0]);
  }

  adjust(changes: readonly BucketChange[]): Promise<void> {
    const args: (string | number)[] = [WINDOW_MS];
    for (const c of changes) args.push(c.limit, c.delta);
    return this.runner.queue(
      ADJUST_SCRIPT,
      changes.map((c) => c.key),
      args,
    );
  }
}
