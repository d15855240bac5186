import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import type { PlannedBucket } from './rate-limit.plan.js';
import type { BucketReading } from './rate-limit.types.js';

/** The `error.rate_limit` object of a 429 (contract 11.4). */
export interface RateLimitRefusal {
  readonly limited_resource: 'requests' | 'tokens';
  readonly limit_type: 'requests_per_minute' | 'tokens_per_minute';
  readonly scope: 'key' | 'tenant';
  readonly limit: number;
  readonly remaining: number;
  readonly retry_after_seconds: number;
  /** When the limiting bucket is empty again (ISO 8601, UTC). */
  readonly reset_at: string;
}

/**
 * The refusal of a call that does not fit: named after the bucket it would wait longest for (on
 * a tie, the first of key requests, tenant requests, key tokens, tenant tokens), which is also
 * when the whole call fits again, barring other traffic.
 */
export function rateLimitRefusal(
  buckets: readonly PlannedBucket[],
  readings: readonly BucketReading[],
  now: number,
): RateLimitRefusal {
  let worst = 0;
  for (let i = 1; i < readings.length; i++) {
    if (readings[i].waitMs > readings[worst].waitMs) worst = i;
  }
  const bucket = buckets[worst];
  const reading = readings[worst];
  return {
    limited_resource: bucket.resource,
    limit_type: bucket.resource === 'requests' ? 'requests_per_minute' : 'tokens_per_minute',
    scope: bucket.scope,
    limit: bucket.limit,
    remaining: reading.remaining,
    retry_after_seconds: Math.max(1, Math.ceil(reading.waitMs / 1000)),
    reset_at: new Date(now + Math.max(reading.resetMs, reading.waitMs)).toISOString(),
  };
}

/** 429 `rate_limit_exceeded`, with `Retry-After` and the `rate_limit` object. */
export function rateLimitExceeded(refusal: RateLimitRefusal): GatewayError {
  const whose = refusal.scope === 'key' ? "this API key's" : "this tenant's";
  const what = refusal.limited_resource;
  return new GatewayError(
    ErrorCode.RateLimitExceeded,
    `Rate limit exceeded: ${whose} ${refusal.limit} ${what} per minute. Retry in ${refusal.retry_after_seconds} s.`,
    {
      retryable: true,
      retryAfterSeconds: refusal.retry_after_seconds,
      details: { rate_limit: refusal },
    },
  );
}
