import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { withDeadline } from '../../storage/deadline.js';
import { RateLimitStore } from './rate-limit.store.js';
import { ADJUST_SCRIPT, ADMIT_SCRIPT } from './rate-limit.scripts.js';
import {
  type Admission,
  type BucketChange,
  type BucketDemand,
  type BucketReading,
  WINDOW_MS,
} from './rate-limit.types.js';

/**
 * A Redis that does not answer within this long is treated as down for the call (which is then
 * counted in memory): a call waits at most this for its rate limit, however Redis fails.
 */
const DEADLINE_MS = 1_000;

/**
 * Buckets in Redis, shared by every replica: one script call per admission (every bucket of the
 * call checked and reserved atomically) and one per settlement, which leaves the request path.
 * Scripts are sent by their SHA and loaded on a NOSCRIPT answer (after a Redis restart).
 */
export class RedisRateLimitStore extends RateLimitStore {
  private readonly admitSha = sha1(ADMIT_SCRIPT);
  private readonly adjustSha = sha1(ADJUST_SCRIPT);

  constructor(private readonly redis: Redis) {
    super();
  }

  /** Whether the connection is up: when not, calls fall back at once rather than queue. */
  get ready(): boolean {
    return this.redis.status === 'ready';
  }

  async admit(demands: readonly BucketDemand[]): Promise<Admission> {
    const args = [String(WINDOW_MS)];
    for (const d of demands) args.push(String(d.limit), String(d.cost));
    const reply = (await this.run(
      ADMIT_SCRIPT,
      this.admitSha,
      demands.map((d) => d.key),
      args,
    )) as number[];
    const buckets: BucketReading[] = demands.map((_, i) => ({
      remaining: reply[2 + 3 * i],
      waitMs: reply[3 + 3 * i],
      resetMs: reply[4 + 3 * i],
    }));
    return { admitted: reply[0] === 1, now: reply[1], buckets };
  }

  async adjust(changes: readonly BucketChange[]): Promise<void> {
    const args = [String(WINDOW_MS)];
    for (const c of changes) args.push(String(c.limit), String(c.delta));
    await this.run(
      ADJUST_SCRIPT,
      this.adjustSha,
      changes.map((c) => c.key),
      args,
    );
  }

  private async run(
    script: string,
    sha: string,
    keys: readonly string[],
    args: readonly string[],
  ): Promise<unknown> {
    const call = async () => {
      try {
        return await this.redis.evalsha(sha, keys.length, ...keys, ...args);
      } catch (err) {
        if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
        return this.redis.eval(script, keys.length, ...keys, ...args);
      }
    };
    return withDeadline(call(), DEADLINE_MS, `Redis gave no answer in ${DEADLINE_MS} ms`);
  }
}

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}
