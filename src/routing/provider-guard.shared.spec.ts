import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { ErrorCode } from '../common/errors/error-code.js';
import { GatewayError } from '../common/errors/gateway-error.js';
import type { SharedBreakerChange } from './breaker-state.bus.js';
import { type AttemptScope, ProviderGuard } from './provider-guard.js';
import type { ResilienceSettings } from './resilience-settings.js';
import { type BreakerStateEvent, RoutingEvents } from './routing-events.js';

/** The breaker shared by replicas (contract 13), as one replica's guard sees it. */
describe(`${ProviderGuard.name} shared between replicas`, () => {
  const HALF_OPEN_AFTER_MS = 30_000;
  const settings: ResilienceSettings = {
    retry: { maxAttempts: 1, initialDelayMs: 10, multiplier: 2, maxDelayMs: 100, jitter: false },
    circuitBreaker: {
      enabled: true,
      failureRateThreshold: 0.5,
      slidingWindowSize: 4,
      minimumCalls: 2,
      halfOpenAfterMs: HALF_OPEN_AFTER_MS,
    },
    timeouts: { requestMs: 1000, streamMs: 2000, streamIdleMs: 300 },
  };
  const providerError = () =>
    new GatewayError(ErrorCode.ProviderError, 'upstream 503', { provider: 'p', retryable: true });
  const scope: AttemptScope = {
    traceId: 't-1',
    signal: new AbortController().signal,
    deadlineAt: Number.MAX_SAFE_INTEGER,
  };
  const failure = async (promise: Promise<unknown>): Promise<GatewayError> => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GatewayError);
    return error as GatewayError;
  };

  let guard: ProviderGuard;
  let shared: SharedBreakerChange[];
  let states: BreakerStateEvent[];
  let calls: number;
  let failing: boolean;
  const attempt = () => {
    calls++;
    return failing ? Promise.reject(providerError()) : Promise.resolve('ok');
  };

  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const events = new RoutingEvents();
    states = [];
    events.on('breaker-state', (e) => states.push(e));
    guard = new ProviderGuard('p', settings, events);
    shared = [];
    guard.onShareableChange((change) => shared.push(change));
    calls = 0;
    failing = false;
  });
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('shares its own breaker opening, with the time it half-opens, and its closing', async () => {
    failing = true;
    await failure(guard.execute('m', scope, attempt));
    await failure(guard.execute('m', scope, attempt));
    expect(shared).toEqual([
      { provider: 'p', state: 'open', until: Date.now() + HALF_OPEN_AFTER_MS },
    ]);

    failing = false;
    await jest.advanceTimersByTimeAsync(HALF_OPEN_AFTER_MS);
    await guard.execute('m', scope, attempt);
    expect(shared.at(-1)).toEqual({ provider: 'p', state: 'closed' });
    expect(shared).toHaveLength(2);
  });

  it("holds itself open for another replica's open breaker, without calling or sharing back", async () => {
    guard.applyShared({ provider: 'p', state: 'open', until: Date.now() + 5_000 });

    expect(guard.breakerState).toBe('open');
    const refused = await failure(guard.execute('m', scope, attempt));
    expect(refused.code).toBe(ErrorCode.ProviderCircuitOpen);
    expect(refused.retryAfterSeconds).toBe(5);
    expect(calls).toBe(0);
    expect(shared).toEqual([]);
    expect(states).toEqual([
      { type: 'breaker-state', provider: 'p', state: 'open', byReplica: true },
    ]);
  });

  it('lets calls through again once the other replica half-opens, or closes first', async () => {
    guard.applyShared({ provider: 'p', state: 'open', until: Date.now() + 5_000 });
    await jest.advanceTimersByTimeAsync(5_000);
    expect(guard.breakerState).toBe('closed');
    await expect(guard.execute('m', scope, attempt)).resolves.toBe('ok');

    guard.applyShared({ provider: 'p', state: 'open', until: Date.now() + 5_000 });
    guard.applyShared({ provider: 'p', state: 'closed' });
    await expect(guard.execute('m', scope, attempt)).resolves.toBe('ok');
    expect(calls).toBe(2);
    expect(shared).toEqual([]);
    expect(states.map((e) => [e.state, e.byReplica])).toEqual([
      ['open', true],
      ['closed', true],
      ['open', true],
      ['closed', true],
    ]);
  });

  it('takes the later time when another replica opens again while held', async () => {
    guard.applyShared({ provider: 'p', state: 'open', until: Date.now() + 1_000 });
    guard.applyShared({ provider: 'p', state: 'open', until: Date.now() + 9_000 });
    await jest.advanceTimersByTimeAsync(1_000);
    expect(guard.breakerState).toBe('open');
    await jest.advanceTimersByTimeAsync(8_000);
    expect(guard.breakerState).toBe('closed');
    // One open, one close: the replacement hold never let the breaker close in between.
    expect(states.map((e) => e.state)).toEqual(['open', 'closed']);
  });

  it('ignores an opening that is already over, and keeps its own open breaker on its schedule', async () => {
    guard.applyShared({ provider: 'p', state: 'open', until: Date.now() - 1 });
    expect(guard.breakerState).toBe('closed');

    failing = true;
    await failure(guard.execute('m', scope, attempt));
    await failure(guard.execute('m', scope, attempt));
    guard.applyShared({ provider: 'p', state: 'open', until: Date.now() + 60_000 });
    failing = false;
    await jest.advanceTimersByTimeAsync(HALF_OPEN_AFTER_MS);
    await expect(guard.execute('m', scope, attempt)).resolves.toBe('ok');
    expect(guard.breakerState).toBe('closed');
  });
});
