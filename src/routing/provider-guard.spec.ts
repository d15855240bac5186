import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { ErrorCode } from '../common/errors/error-code.js';
import { GatewayError } from '../common/errors/gateway-error.js';
import type { CallTimeouts } from '../providers/llm-provider.js';
import { type AttemptScope, ProviderGuard } from './provider-guard.js';
import type { ResilienceSettings } from './resilience-settings.js';
import { type RoutingEvent, RoutingEvents } from './routing-events.js';

describe(ProviderGuard.name, () => {
  const settings = (overrides: Partial<ResilienceSettings> = {}): ResilienceSettings => ({
    retry: { maxAttempts: 3, initialDelayMs: 10, multiplier: 2, maxDelayMs: 100, jitter: false },
    // Each attempt, retries included, counts: the retry tests stay below minimum-calls.
    circuitBreaker: {
      enabled: true,
      failureRateThreshold: 0.5,
      slidingWindowSize: 10,
      minimumCalls: 10,
      halfOpenAfterMs: 1000,
    },
    timeouts: { requestMs: 1000, streamMs: 2000, streamIdleMs: 300 },
    ...overrides,
  });
  const providerError = () =>
    new GatewayError(ErrorCode.ProviderError, 'upstream 503', { provider: 'p', retryable: true });
  const rateLimited = (retryAfterSeconds?: number) =>
    new GatewayError(ErrorCode.ProviderRateLimited, 'upstream 429', {
      provider: 'p',
      retryable: true,
      retryAfterSeconds,
    });
  const rejected = () =>
    new GatewayError(ErrorCode.ProviderRejectedRequest, 'upstream 400', { provider: 'p' });

  let events: RoutingEvents;
  let seen: RoutingEvent[];
  let scope: AttemptScope;
  let controller: AbortController;
  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    events = new RoutingEvents();
    seen = [];
    events.on('retry', (e) => seen.push(e));
    events.on('breaker-state', (e) => seen.push(e));
    controller = new AbortController();
    scope = { traceId: 't-1', signal: controller.signal, deadlineAt: Date.now() + 60_000 };
  });
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  /** An attempt that fails with the given errors in turn, then answers 'ok'. */
  const scripted = (...failures: Error[]) => {
    const calls: (CallTimeouts | undefined)[] = [];
    const attempt = (timeouts: CallTimeouts | undefined) => {
      calls.push(timeouts);
      const failure = failures.shift();
      return failure ? Promise.reject(failure) : Promise.resolve('ok');
    };
    return { calls, attempt };
  };
  const failure = async (promise: Promise<unknown>): Promise<GatewayError> => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GatewayError);
    return error as GatewayError;
  };

  it("retries retryable failures up to max-attempts in all, handing each attempt the provider's timeouts", async () => {
    const guard = new ProviderGuard('p', settings(), events);
    const { calls, attempt } = scripted(providerError(), providerError());
    await expect(guard.execute('m', scope, attempt)).resolves.toBe('ok');
    expect(calls).toEqual([settings().timeouts, settings().timeouts, settings().timeouts]);
    expect(seen.filter((e) => e.type === 'retry')).toEqual([
      expect.objectContaining({
        traceId: 't-1',
        provider: 'p',
        model: 'm',
        attempt: 2,
        delayMs: 10,
      }),
      expect.objectContaining({ attempt: 3, delayMs: 20, code: 'provider_error' }),
    ]);
  });

  it('keeps each call its own attempts, waits and events when calls retry side by side', async () => {
    // One retry policy serves every call to the provider: nothing of one call may leak into
    // another interleaved with it.
    const guard = new ProviderGuard('p', settings(), events);
    const a = scripted(providerError(), providerError());
    const b = scripted(rateLimited());
    const c = scripted(rejected());
    const [first, second, third] = await Promise.allSettled([
      guard.execute('model-a', { ...scope, traceId: 't-a' }, a.attempt),
      guard.execute('model-b', { ...scope, traceId: 't-b' }, b.attempt),
      guard.execute('model-c', { ...scope, traceId: 't-c' }, c.attempt),
    ]);
    expect(first).toEqual({ status: 'fulfilled', value: 'ok' });
    expect(second).toEqual({ status: 'fulfilled', value: 'ok' });
    expect(third.status === 'rejected' && third.reason).toMatchObject({
      code: ErrorCode.ProviderRejectedRequest,
    });
    expect([a.calls.length, b.calls.length, c.calls.length]).toEqual([3, 2, 1]);
    const retries = seen.filter((e) => e.type === 'retry');
    expect(retries).toHaveLength(3);
    expect(retries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ traceId: 't-a', model: 'model-a', attempt: 2, delayMs: 10 }),
        expect.objectContaining({ traceId: 't-a', model: 'model-a', attempt: 3, delayMs: 20 }),
        expect.objectContaining({
          traceId: 't-b',
          model: 'model-b',
          attempt: 2,
          delayMs: 10,
          code: ErrorCode.ProviderRateLimited,
        }),
      ]),
    );
  });

  it('gives up after max-attempts with the last error', async () => {
    const guard = new ProviderGuard('p', settings(), events);
    const { calls, attempt } = scripted(providerError(), providerError(), rateLimited());
    expect((await failure(guard.execute('m', scope, attempt))).code).toBe(
      ErrorCode.ProviderRateLimited,
    );
    expect(calls).toHaveLength(3);
  });

  it('never retries an error the caller caused', async () => {
    const guard = new ProviderGuard('p', settings(), events);
    const { calls, attempt } = scripted(rejected());
    expect((await failure(guard.execute('m', scope, attempt))).code).toBe(
      ErrorCode.ProviderRejectedRequest,
    );
    expect(calls).toHaveLength(1);
  });

  it('waits exactly the Retry-After before retrying, beyond max-delay-ms', async () => {
    jest.useFakeTimers();
    scope = { ...scope, deadlineAt: Date.now() + 60_000 };
    const guard = new ProviderGuard('p', settings(), events);
    const { calls, attempt } = scripted(rateLimited(2));
    const result = guard.execute('m', scope, attempt);
    await jest.advanceTimersByTimeAsync(1999);
    expect(calls).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    await expect(result).resolves.toBe('ok');
    expect(calls).toHaveLength(2);
  });

  it('lets the error surface at once when the Retry-After would cross the deadline', async () => {
    const guard = new ProviderGuard('p', settings(), events);
    const { calls, attempt } = scripted(rateLimited(30));
    scope = { ...scope, deadlineAt: Date.now() + 5000 };
    const started = Date.now();
    expect((await failure(guard.execute('m', scope, attempt))).retryAfterSeconds).toBe(30);
    expect(calls).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('stops retrying once the caller went away', async () => {
    const guard = new ProviderGuard('p', settings(), events);
    const calls: number[] = [];
    const attempt = () => {
      calls.push(1);
      controller.abort();
      return Promise.reject(providerError());
    };
    await failure(guard.execute('m', scope, attempt));
    expect(calls).toHaveLength(1);
  });

  it('opens after the failure rate, fails fast without calling, half-opens and closes again', async () => {
    jest.useFakeTimers();
    const noRetry = settings({
      retry: { ...settings().retry, maxAttempts: 1 },
      circuitBreaker: { ...settings().circuitBreaker, slidingWindowSize: 4, minimumCalls: 2 },
    });
    const guard = new ProviderGuard('p', noRetry, events);
    const { calls, attempt } = scripted(providerError(), providerError());
    await failure(guard.execute('m', scope, attempt));
    expect(guard.breakerState).toBe('closed');
    await failure(guard.execute('m', scope, attempt));
    expect(guard.breakerState).toBe('open');

    const open = await failure(guard.execute('m', scope, attempt));
    expect(open.code).toBe(ErrorCode.ProviderCircuitOpen);
    expect(open.status).toBe(503);
    expect(open.retryable).toBe(false);
    expect(open.retryAfterSeconds).toBe(1);
    expect(open.message).toContain("'p'");
    expect(calls).toHaveLength(2);

    await jest.advanceTimersByTimeAsync(1000);
    await expect(guard.execute('m', scope, attempt)).resolves.toBe('ok');
    expect(calls).toHaveLength(3);
    expect(guard.breakerState).toBe('closed');
    expect(seen.filter((e) => e.type === 'breaker-state')).toEqual([
      { type: 'breaker-state', provider: 'p', state: 'open', traceId: 't-1' },
      { type: 'breaker-state', provider: 'p', state: 'half-open', traceId: 't-1' },
      { type: 'breaker-state', provider: 'p', state: 'closed', traceId: 't-1' },
    ]);
  });

  it('is not tripped by upstream 429s, nor by errors the caller caused', async () => {
    const noRetry = settings({
      retry: { ...settings().retry, maxAttempts: 1 },
      circuitBreaker: { ...settings().circuitBreaker, slidingWindowSize: 4, minimumCalls: 2 },
    });
    const guard = new ProviderGuard('p', noRetry, events);
    const { attempt } = scripted(rateLimited(), rateLimited(), rejected(), rateLimited());
    for (let i = 0; i < 4; i++) await failure(guard.execute('m', scope, attempt));
    expect(guard.breakerState).toBe('closed');
    await expect(guard.execute('m', scope, attempt)).resolves.toBe('ok');
  });

  it('does not count a call the caller abandoned', async () => {
    const noRetry = settings({
      retry: { ...settings().retry, maxAttempts: 1 },
      circuitBreaker: { ...settings().circuitBreaker, slidingWindowSize: 4, minimumCalls: 2 },
    });
    const guard = new ProviderGuard('p', noRetry, events);
    for (let i = 0; i < 3; i++) {
      const gone = new AbortController();
      const attempt = () => {
        gone.abort();
        return Promise.reject(providerError());
      };
      await failure(guard.execute('m', { ...scope, signal: gone.signal }, attempt));
    }
    expect(guard.breakerState).toBe('closed');
  });

  it('without a breaker, keeps calling however many failures', async () => {
    const guard = new ProviderGuard(
      'p',
      settings({
        retry: { ...settings().retry, maxAttempts: 1 },
        circuitBreaker: { ...settings().circuitBreaker, enabled: false },
      }),
      events,
    );
    const { calls, attempt } = scripted(...Array.from({ length: 6 }, providerError));
    for (let i = 0; i < 6; i++) await failure(guard.execute('m', scope, attempt));
    expect(calls).toHaveLength(6);
  });
});
