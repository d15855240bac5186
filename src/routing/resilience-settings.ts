import type { GatewayConfig } from '../config/gateway-config.types.js';
import type { CallTimeouts } from '../providers/llm-provider.js';

/** Retries of one provider's calls (contract section 6). */
export interface RetrySettings {
  /** Attempts in all, the first included: 1 means no retry. */
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly multiplier: number;
  readonly maxDelayMs: number;
  readonly jitter: boolean;
}

/** One provider's circuit breaker. */
export interface BreakerSettings {
  readonly enabled: boolean;
  /** Share of failed calls (0-1) over the window at which the breaker opens. */
  readonly failureRateThreshold: number;
  readonly slidingWindowSize: number;
  /** Calls the window must hold before the rate is judged; never above the window size. */
  readonly minimumCalls: number;
  readonly halfOpenAfterMs: number;
}

/** Everything that wraps one provider's calls, resolved from the three configuration layers. */
export interface ResilienceSettings {
  readonly retry: RetrySettings;
  readonly circuitBreaker: BreakerSettings;
  readonly timeouts: CallTimeouts;
}

/** A route's fallback chain: installation-wide, no provider overrides it. */
export interface FallbackSettings {
  /** Targets tried in all, the primary included. */
  readonly maxAttempts: number;
  /** No attempt (retry or fallback) starts later than this after the call began. */
  readonly deadlineMs: number;
}

type Defaults = GatewayConfig['resilience'];
type Overrides = Partial<{
  retry: Partial<Defaults['retry']>;
  circuitBreaker: Partial<Defaults['circuitBreaker']>;
  timeout: Partial<Defaults['timeout']>;
}>;

/**
 * One provider's settings: its `gateway.providers.<id>.resilience` overrides, key by key, over
 * `gateway.resilience`; timeouts neither sets come from `gateway.upstream`.
 */
export function resolveResilienceSettings(
  config: GatewayConfig,
  providerId: string,
): ResilienceSettings {
  const defaults = config.resilience;
  const own = providerOverrides(config, providerId) ?? {};
  const retry = { ...defaults.retry, ...defined(own.retry) };
  const breaker = { ...defaults.circuitBreaker, ...defined(own.circuitBreaker) };
  const timeout = { ...defined(defaults.timeout), ...defined(own.timeout) };
  return {
    retry,
    circuitBreaker: {
      ...breaker,
      // A provider may shrink the window below the default minimum; the window bounds it.
      minimumCalls: Math.min(breaker.minimumCalls, breaker.slidingWindowSize),
    },
    timeouts: {
      requestMs: timeout.requestMs ?? config.upstream.requestTimeoutMs,
      streamMs: timeout.streamMs ?? config.upstream.streamTimeoutMs,
      streamIdleMs: timeout.streamIdleMs ?? config.upstream.streamIdleTimeoutMs,
    },
  };
}

export function resolveFallbackSettings(config: GatewayConfig): FallbackSettings {
  return { ...config.resilience.fallback };
}

/**
 * The `resilience` block under a provider's settings. Provider ids are kebab-case in YAML and
 * camel-cased in the typed configuration (`my-host` is read as `myHost`); custom providers keep
 * their operator-chosen names under `custom`.
 */
function providerOverrides(config: GatewayConfig, providerId: string): Overrides | undefined {
  const custom = config.providers.custom as Record<string, { resilience?: Overrides } | undefined>;
  if (Object.hasOwn(custom, providerId)) return custom[providerId]?.resilience;
  const key = camelCase(providerId);
  if (key === 'custom') return undefined;
  const builtIn = config.providers as unknown as Record<string, { resilience?: Overrides }>;
  return Object.hasOwn(builtIn, key) ? builtIn[key].resilience : undefined;
}

/** Drops keys whose value is undefined, so a spread never erases a default with "unset". */
function defined<T extends object>(value: T | undefined): Partial<T> {
  if (value === undefined) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function camelCase(id: string): string {
  return id.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}
