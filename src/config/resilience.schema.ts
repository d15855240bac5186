import { z } from 'zod';
import { bool, int, num } from './schema-fields.js';

/**
 * Resilience settings (contract section 6). `gateway.resilience` holds the defaults every provider
 * gets; `gateway.providers.<id>.resilience` overrides any of them for one provider (merged key by
 * key, see `src/routing/resilience-settings.ts`). Timeouts left unset fall back to
 * `gateway.upstream`'s.
 */
const retryFields = {
  // Attempts in all, the first included: 1 turns retries off.
  'max-attempts': int(1, 10),
  'initial-delay-ms': int(0),
  multiplier: num(z.number().min(1)),
  'max-delay-ms': int(0),
  jitter: bool(),
};

const breakerFields = {
  enabled: bool(),
  // Share of failed calls (0-1) over the window that opens the breaker.
  'failure-rate-threshold': num(z.number().gt(0).max(1)),
  'sliding-window-size': int(1, 1000),
  // Calls the window must hold before the rate is judged; capped at the window's size.
  'minimum-calls': int(1, 1000),
  'half-open-after-ms': int(1),
};

const timeoutFields = {
  'request-ms': int(1),
  'stream-ms': int(1),
  'stream-idle-ms': int(1),
};

/** `gateway.resilience`: every value has a default. */
export const resilienceDefaultsSchema = z
  .strictObject({
    retry: z
      .strictObject({
        'max-attempts': retryFields['max-attempts'].default(3),
        'initial-delay-ms': retryFields['initial-delay-ms'].default(500),
        multiplier: retryFields.multiplier.default(2),
        'max-delay-ms': retryFields['max-delay-ms'].default(10_000),
        jitter: retryFields.jitter.default(true),
      })
      .prefault({}),
    'circuit-breaker': z
      .strictObject({
        enabled: breakerFields.enabled.default(true),
        'failure-rate-threshold': breakerFields['failure-rate-threshold'].default(0.5),
        'sliding-window-size': breakerFields['sliding-window-size'].default(10),
        'minimum-calls': breakerFields['minimum-calls'].default(5),
        'half-open-after-ms': breakerFields['half-open-after-ms'].default(30_000),
      })
      .prefault({}),
    // Unset values come from gateway.upstream (request-timeout-ms, stream-timeout-ms,
    // stream-idle-timeout-ms).
    timeout: z
      .strictObject({
        'request-ms': timeoutFields['request-ms'].optional(),
        'stream-ms': timeoutFields['stream-ms'].optional(),
        'stream-idle-ms': timeoutFields['stream-idle-ms'].optional(),
      })
      .prefault({}),
    // A route's fallback chain: attempts in all (the first target included) and the time after
    // which no further attempt starts.
    fallback: z
      .strictObject({
        'max-attempts': int(1, 10).default(3),
        'deadline-ms': int(1).default(60_000),
      })
      .prefault({}),
  })
  .prefault({});

/** `gateway.providers.<id>.resilience`: any subset of the defaults' keys. */
export const providerResilienceSchema = z
  .strictObject({
    retry: z
      .strictObject({
        'max-attempts': retryFields['max-attempts'].optional(),
        'initial-delay-ms': retryFields['initial-delay-ms'].optional(),
        multiplier: retryFields.multiplier.optional(),
        'max-delay-ms': retryFields['max-delay-ms'].optional(),
        jitter: retryFields.jitter.optional(),
      })
      .optional(),
    'circuit-breaker': z
      .strictObject({
        enabled: breakerFields.enabled.optional(),
        'failure-rate-threshold': breakerFields['failure-rate-threshold'].optional(),
        'sliding-window-size': breakerFields['sliding-window-size'].optional(),
        'minimum-calls': breakerFields['minimum-calls'].optional(),
        'half-open-after-ms': breakerFields['half-open-after-ms'].optional(),
      })
      .optional(),
    timeout: z
      .strictObject({
        'request-ms': timeoutFields['request-ms'].optional(),
        'stream-ms': timeoutFields['stream-ms'].optional(),
        'stream-idle-ms': timeoutFields['stream-idle-ms'].optional(),
      })
      .optional(),
  })
  .optional();
