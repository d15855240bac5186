import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config/gateway-config.types.js';
import { CounterBatch } from '../pipeline/counter-batch.js';
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
 * no request permit), or refused with 429. With Redis the step joins the call's counter batch
 * (pipeline/counter-batch.ts), decided with the budget reservation in one round trip. Always
 * active, because a tenant's or a key's limits may be set at any time; a call under no limit
 * costs a few property reads.
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
    const plan = this.limiter.plan(buckets);
    if ('placed' in plan) {
      this.decide(context, buckets, plan.placed);
      return;
    }
    // With Redis, the call's buckets go out with its budget reservation, in one round trip
    // after validation; a call validation refuses sends them first, so this refusal wins.
    CounterBatch.defer(context, plan.runner, {
      redis: plan.step,
      decide: (reply) => this.decide(context, buckets, plan.answered(reply)),
      fallback: (error) => this.decide(context, buckets, plan.failed(error)),
    });
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
    // Partial: a budget refused the call in the same step, and the tokens were never taken.
    if (tokens.length === 0 || admission.partial === true) return;
    context.reservations.push(
      new RateLimitReservation(this.limiter, store, tokens, tokens[0].cost),
    );
  }
}
