import type { Admission, BucketChange, BucketDemand } from './rate-limit.types.js';

/**
 * Where the buckets live: process memory, or Redis (shared by every replica). `admit` checks and
 * reserves every bucket of a call at once, all or nothing; `adjust` settles what was reserved.
 */
export abstract class RateLimitStore {
  abstract admit(demands: readonly BucketDemand[]): Admission | Promise<Admission>;
  abstract adjust(changes: readonly BucketChange[]): void | Promise<void>;
}
