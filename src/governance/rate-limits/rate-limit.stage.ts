import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config/gateway-config.types.js';
import type { GovernanceContext } from '../pipeline/governance-context.js';
import { GovernanceEvents } from '../pipeline/governance-events.js';
import { GovernanceStage } from '../pipeline/governance-stage.js';
import { rateLimitExceeded, rateLimitRefusal } from './rate-limit.errors.js';
import { rateLimitStanding } from './rate-limit.headers.js';
import {
  planBuckets,
  rateLimitDefaults,
  type PlannedBucket,
  type RateLimitDefaults,
} from './rate-limit.plan.js';
import { RateLimitReservation } from './rate-limit.reservation.js';
import { RateLimiter, type Placed } from './rate-limiter.service.js';
import { reservedTokens } from './token-demand.js';

/**
 * Stage 3, rate limits (contract 8, 11.4): the request permit and the token reservation, for the
 * key and the tenant, checked and taken in one atomic step (so a refused token reservation takes
 * no request permit), or refused with 429. Always active, because a tenant's or a key's limits
 * may be set at any time; a call under no limit costs a few property reads.
 */
@Injectable()
export class RateLimitStage extends GovernanceStage {
  readonly active = true;
  private readonly defaults: RateLimitDefaults;
  private readonly defaultOutput: number;

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly limiter: RateLimiter,
    private readonly events: GovernanceEvents,
  ) {
    super();
    this.defaults = rateLimitDefaults(config);
    this.defaultOutput = config.metering.defaultOutputReservation;
  }

  admit(context: GovernanceContext, body?: unknown): void | Promise<void> {
    const buckets = planBuckets(this.defaults, context, () =>
      reservedTokens(context, body, this.defaultOutput),
    );
    if (buckets.length === 0) return;
    const placed = this.limiter.admit(buckets);
    if (placed instanceof Promise) return placed.then((p) => this.decide(context, buckets, p));
    this.decide(context, buckets, placed);
  }

  private decide(context: GovernanceContext, buckets: readonly PlannedBucket[], placed: Placed) {
    const { admission, store } = placed;
    context.rateLimit = rateLimitStanding(buckets, admission.buckets);
    if (!admission.admitted) {
      const refusal = rateLimitRefusal(buckets, admission.buckets, admission.now);
      this.events.emit({
        type: 'RATE_LIMITED',
        traceId: context.traceId,
        tenantId: context.tenantId,
        keyId: context.keyId,
        payload: { ...refusal },
      });
      throw rateLimitExceeded(refusal);
    }
    const tokens = buckets.filter((bucket) => bucket.resource === 'tokens');
    if (tokens.length === 0) return;
    context.reservations.push(
      new RateLimitReservation(this.limiter, store, tokens, tokens[0].cost),
    );
  }
}
