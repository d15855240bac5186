import type { GovernanceContext, Reservation } from '../pipeline/governance-context.js';
import type { RateLimitStore } from './rate-limit.store.js';
import type { RateLimiter } from './rate-limiter.service.js';

/**
 * A call's token reservation, settled when the call ends (contract 11.4, 8 stage 11): on the
 * real usage when there is one, so the buckets count what was used; otherwise (refused at a later
 * stage, failed upstream, cancelled before any usage) given back whole. The request permit is
 * never given back: it was a request.
 */
export class RateLimitReservation implements Reservation {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly store: RateLimitStore,
    private readonly buckets: readonly { readonly key: string; readonly limit: number }[],
    private readonly reserved: number,
  ) {}

  settle(_outcome: unknown, context: GovernanceContext): void {
    const usage = context.usage;
    const total = usage === undefined ? 0 : usage.inputTokens + usage.outputTokens;
    // An upstream's nonsense usage block must not move the counters anywhere odd.
    const used = Number.isFinite(total) && total > 0 ? total : 0;
    const delta = used - this.reserved;
    if (delta === 0) return;
    this.limiter.adjust(
      this.store,
      this.buckets.map((bucket) => ({ key: bucket.key, limit: bucket.limit, delta })),
    );
  }
}
