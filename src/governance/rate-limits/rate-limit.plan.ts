import type { GatewayConfig } from '../../config/gateway-config.types.js';
import type { RateLimitSettings } from '../../storage/tenant.types.js';
import type { GovernanceContext } from '../pipeline/governance-context.js';
import type { BucketDemand, RateLimitResource, RateLimitScope } from './rate-limit.types.js';

/** A bucket of a call with what it stands for, for refusals and headers. */
export interface PlannedBucket extends BucketDemand {
  readonly scope: RateLimitScope;
  readonly resource: RateLimitResource;
}

/** Per-minute limits of one scope; 0 is unlimited. */
interface ScopeLimits {
  readonly requests: number;
  readonly tokens: number;
}

/** The configured defaults, read once. */
export interface RateLimitDefaults {
  readonly key: ScopeLimits;
  readonly tenant: ScopeLimits;
}

export function rateLimitDefaults(config: GatewayConfig): RateLimitDefaults {
  const { perKey, perTenant } = config.rateLimits;
  return {
    key: { requests: perKey.requestsPerMinute, tokens: perKey.tokensPerMinute },
    tenant: { requests: perTenant.requestsPerMinute, tokens: perTenant.tokensPerMinute },
  };
}

/**
 * The buckets a call draws on (contract 11.4): requests and tokens, for its key and its tenant,
 * each under the configured default unless the key's own `rate_limits` (key scope) or the
 * tenant's `settings.rate_limits` (tenant scope) say otherwise; unlimited ones have no bucket.
 * Every bucket applies, so the tightest decides. Empty (and nothing allocated) when none applies:
 * the price of rate limits for a call without any.
 *
 * `tokens` is asked only when a token limit applies.
 */
export function planBuckets(
  defaults: RateLimitDefaults,
  context: GovernanceContext,
  tokens: () => number,
): readonly PlannedBucket[] {
  const keyId = context.keyId;
  const tenantId = context.tenant?.id;
  const key = keyId === undefined ? undefined : limitsOf(defaults.key, context.keyRateLimits);
  const tenant =
    tenantId === undefined
      ? undefined
      : limitsOf(defaults.tenant, context.tenant?.settings.rateLimits);
  const requests = (key?.requests ?? 0) + (tenant?.requests ?? 0);
  const tokenLimits = (key?.tokens ?? 0) + (tenant?.tokens ?? 0);
  if (requests === 0 && tokenLimits === 0) return NONE;

  const cost = tokenLimits === 0 ? 0 : tokens();
  const buckets: PlannedBucket[] = [];
  const add = (scope: RateLimitScope, id: string, resource: RateLimitResource, limit: number) => {
    // The admin API stores only 1..1e9; anything else (a hand-edited row) is no limit, never a
    // negative or infinite one that would break the arithmetic.
    if (!(limit > 0 && limit <= MAX_LIMIT)) return;
    const units = resource === 'requests' ? 1 : cost;
    buckets.push({
      key: `rl:${scope}:${id}:${resource}`,
      limit,
      cost: units,
      kept: resource === 'requests',
      scope,
      resource,
    });
  };
  if (key !== undefined) add('key', keyId!, 'requests', key.requests);
  if (tenant !== undefined) add('tenant', tenantId!, 'requests', tenant.requests);
  if (key !== undefined) add('key', keyId!, 'tokens', key.tokens);
  if (tenant !== undefined) add('tenant', tenantId!, 'tokens', tenant.tokens);
  return buckets;
}

function limitsOf(
  defaults: ScopeLimits,
  override: RateLimitSettings | null | undefined,
): ScopeLimits {
  if (override === null || override === undefined) return defaults;
  return {
    requests: override.requestsPerMinute ?? defaults.requests,
    tokens: override.tokensPerMinute ?? defaults.tokens,
  };
}

const NONE: readonly PlannedBucket[] = Object.freeze([]);

/** The largest limit per minute the configuration and the admin API accept. */
const MAX_LIMIT = 1_000_000_000;
