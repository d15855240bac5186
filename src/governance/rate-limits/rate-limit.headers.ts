import type { RateLimitStanding } from '../pipeline/governance-context.js';
import type { PlannedBucket } from './rate-limit.plan.js';
import type { BucketReading } from './rate-limit.types.js';

/**
 * The standing a call's answer reports: per resource under a limit, the bucket with the least
 * left (the tightest scope), its limit and what is left of it after this call.
 */
export function rateLimitStanding(
  buckets: readonly PlannedBucket[],
  readings: readonly BucketReading[],
): RateLimitStanding {
  let requests: { limit: number; remaining: number } | undefined;
  let tokens: { limit: number; remaining: number } | undefined;
  buckets.forEach((bucket, i) => {
    const level = { limit: bucket.limit, remaining: readings[i].remaining };
    if (bucket.resource === 'requests') {
      if (requests === undefined || level.remaining < requests.remaining) requests = level;
    } else if (tokens === undefined || level.remaining < tokens.remaining) {
      tokens = level;
    }
  });
  return { requests, tokens };
}

/**
 * `x-ratelimit-*` headers (contract 11.4; OpenAI's names): the pair of each resource under a
 * limit. A resource without any limit has no pair: there is no number to give.
 */
export function rateLimitHeaders(standing: RateLimitStanding): Record<string, string> {
  const headers: Record<string, string> = {};
  if (standing.requests !== undefined) {
    headers['x-ratelimit-limit-requests'] = String(standing.requests.limit);
    headers['x-ratelimit-remaining-requests'] = String(standing.requests.remaining);
  }
  if (standing.tokens !== undefined) {
    headers['x-ratelimit-limit-tokens'] = String(standing.tokens.limit);
    headers['x-ratelimit-remaining-tokens'] = String(standing.tokens.remaining);
  }
  return headers;
}
