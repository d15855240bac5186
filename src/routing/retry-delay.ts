import type { GatewayError } from '../common/errors/gateway-error.js';
import type { RetrySettings } from './resilience-settings.js';

/**
 * The wait before retry number `retry` (1 for the first retry): `initial x multiplier^(retry-1)`,
 * capped at `max-delay-ms`. With jitter the wait is drawn from [delay/2, delay) ("equal jitter"):
 * replicas that failed together spread out, yet the schedule keeps its shape.
 */
export function backoffDelayMs(
  settings: RetrySettings,
  retry: number,
  random: () => number = Math.random,
): number {
  const exponential = settings.initialDelayMs * settings.multiplier ** (retry - 1);
  const capped = Math.min(settings.maxDelayMs, exponential);
  if (!settings.jitter) return capped;
  return Math.floor(capped / 2 + (random() * capped) / 2);
}

/**
 * The wait before retrying after `error`: exactly what the upstream asked for when it said
 * (`Retry-After`, not capped by `max-delay-ms`: retrying sooner would only be refused again),
 * the backoff otherwise.
 */
export function retryDelayMs(
  settings: RetrySettings,
  retry: number,
  error: GatewayError,
  random: () => number = Math.random,
): number {
  if (error.retryAfterSeconds !== undefined) return Math.max(0, error.retryAfterSeconds * 1000);
  return backoffDelayMs(settings, retry, random);
}
