/** Whose allowance a bucket counts (contract 11.4). */
export type RateLimitScope = 'key' | 'tenant';

/** What a bucket counts. */
export type RateLimitResource = 'requests' | 'tokens';

/** Epoch milliseconds, from an injected source so the window arithmetic can be tested. */
export type Clock = () => number;

/** One bucket a call draws on, e.g. a key's requests. */
export interface BucketDemand {
  /** The store's name for the bucket, e.g. `rl:key:key_3f9a:requests`. */
  readonly key: string;
  /** Per window; always > 0 (an unlimited scope has no bucket). */
  readonly limit: number;
  readonly cost: number;
  /**
   * Taken even when a later stage refuses the call in the same step (Redis batches rate limits
   * and budgets): a request permit, since the call was a request (contract 11.4).
   */
  readonly kept?: boolean;
}

/** A bucket as the admission left it. */
export interface BucketReading {
  /** Whole units left under the limit (after this call's cost, when admitted). */
  readonly remaining: number;
  /** Milliseconds until this call's cost would fit (0: it fits). */
  readonly waitMs: number;
  /** Milliseconds until the bucket is empty. */
  readonly resetMs: number;
}

/** The answer to one atomic check-and-reserve over every bucket of a call. */
export interface Admission {
  /** All or nothing: either every bucket took its cost, or none did. */
  readonly admitted: boolean;
  /** The store's clock at the decision (Redis' own for Redis), epoch ms. */
  readonly now: number;
  /** One per demand, in order. */
  readonly buckets: readonly BucketReading[];
  /**
   * Admitted, but a later stage refused the call in the same step: only the kept buckets took
   * their cost. Never set by an admission of its own.
   */
  readonly partial?: boolean;
}

/** A settlement's correction of a bucket: its real use minus what was reserved. */
export interface BucketChange {
  readonly key: string;
  readonly limit: number;
  readonly delta: number;
}

/** The rate-limit window: a minute (limits are per minute). */
export const WINDOW_MS = 60_000;
