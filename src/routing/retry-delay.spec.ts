import { ErrorCode } from '../common/errors/error-code.js';
import { GatewayError } from '../common/errors/gateway-error.js';
import type { RetrySettings } from './resilience-settings.js';
import { backoffDelayMs, retryDelayMs } from './retry-delay.js';

describe(retryDelayMs.name, () => {
  const settings: RetrySettings = {
    maxAttempts: 5,
    initialDelayMs: 500,
    multiplier: 2,
    maxDelayMs: 10_000,
    jitter: false,
  };
  const failed = new GatewayError(ErrorCode.ProviderError, 'x', { retryable: true });

  it('backs off exponentially from the initial delay, capped at max-delay-ms', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelayMs(settings, n))).toEqual([
      500, 1000, 2000, 4000, 8000, 10_000, 10_000,
    ]);
  });

  it('with jitter, draws each wait from the upper half of the backoff', () => {
    const jittered = { ...settings, jitter: true };
    expect(backoffDelayMs(jittered, 2, () => 0)).toBe(500);
    expect(backoffDelayMs(jittered, 2, () => 0.999)).toBe(999);
    expect(backoffDelayMs(jittered, 9, () => 0.5)).toBe(7500);
  });

  it("waits exactly what the upstream's Retry-After says, beyond max-delay-ms", () => {
    const limited = new GatewayError(ErrorCode.ProviderRateLimited, 'x', {
      retryable: true,
      retryAfterSeconds: 20,
    });
    expect(retryDelayMs({ ...settings, jitter: true }, 1, limited)).toBe(20_000);
    expect(retryDelayMs(settings, 3, failed)).toBe(2000);
  });
});
