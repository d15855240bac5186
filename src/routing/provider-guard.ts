import {
  BrokenCircuitError,
  circuitBreaker,
  CircuitState,
  type CircuitBreakerPolicy,
  DelegateBackoff,
  handleWhen,
  retry,
  type IDisposable,
  type RetryPolicy,
} from 'cockatiel';
import { Logger } from '@nestjs/common';
import type { CancelSignal } from '../common/cancellation/cancel-signal.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { GatewayError } from '../common/errors/gateway-error.js';
import type { CallTimeouts } from '../providers/llm-provider.js';
import type { SharedBreakerChange } from './breaker-state.bus.js';
import { FailureRateBreaker } from './failure-rate.breaker.js';
import type { ResilienceSettings } from './resilience-settings.js';
import { retryDelayMs } from './retry-delay.js';
import type { BreakerState, RoutingEvents } from './routing-events.js';

/** One routed call, as every attempt inside it sees it. */
export interface AttemptScope {
  readonly traceId: string;
  /** Fires when the caller goes away: the attempt in flight is aborted, none follows. */
  readonly signal: CancelSignal;
  /** Epoch milliseconds after which no new attempt (retry or fallback) starts. */
  readonly deadlineAt: number;
}

/** One upstream attempt, given the provider's timeouts (none for an unwrapped provider). */
export type Attempt<T> = (timeouts: CallTimeouts | undefined) => Promise<T>;

/** Carries a failure past the breaker without counting it: the caller left, not the provider. */
class CallerGone extends Error {
  constructor(readonly original: unknown) {
    super('the caller went away');
  }
}

/**
 * A failed attempt that may be repeated, as the retry policy sees it: the error, the wait before
 * the next attempt, and the call it belongs to (for the `retry` event). Never leaves the guard.
 */
class RetryableFailure extends Error {
  constructor(
    readonly error: GatewayError,
    readonly delayMs: number,
    readonly model: string,
    readonly traceId: string,
    readonly nextAttempt: number,
  ) {
    super(error.message);
  }
}

/**
 * Only failures that are the provider's fault count against its breaker. An upstream 429
 * (`provider_rate_limited`) says the provider is healthy but busy, `provider_rejected_request`
 * is the caller's fault, and a caller's abort is nobody's: cockatiel records such errors neither
 * as failure nor success while closed (and, during the half-open trial, as proof the provider
 * answers, which closes the breaker).
 */
function countsAgainstBreaker(error: Error): boolean {
  return error instanceof GatewayError && error.code === ErrorCode.ProviderError;
}

/**
 * The call's cancellation as cockatiel's `execute` types it. cockatiel 3.2 reads only `aborted`
 * of that signal (RetryPolicy and CircuitBreakerPolicy `execute`) and otherwise hands it to our
 * own filters, so the gateway's `CallCancellation` serves as it is: no `AbortSignal` is
 * built for it.
 */
function forCockatiel(signal: CancelSignal): AbortSignal {
  return signal as AbortSignal;
}

const STATE_NAMES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open',
};

/**
 * One provider's retries and circuit breaker (cockatiel), shared by every call to it. Retry wraps
 * the breaker, so each attempt passes through it and an open breaker fails the attempt at once
 * (503 `provider_circuit_open`, never retried). Timeouts are the HTTP client's, per attempt:
 * they are handed to the attempt.
 */
export class ProviderGuard {
  private readonly logger = new Logger('Routing');
  private readonly breaker: CircuitBreakerPolicy | undefined;
  private readonly retries: RetryPolicy;
  /** Epoch ms at which the open breaker lets a call through again. */
  private openUntil = 0;
  /** The call that last went through the breaker: named on its state-change events. */
  private lastTraceId: string | undefined;
  /** Set while the breaker changes because another replica said so: nothing to share back. */
  private remoteChange = false;
  /** Holds the breaker open for another replica's open breaker, until it half-opens there. */
  private remoteHold: { readonly handle: IDisposable; readonly timer: NodeJS.Timeout } | undefined;
  private readonly shareListeners: ((change: SharedBreakerChange) => void)[] = [];

  constructor(
    readonly providerId: string,
    readonly settings: ResilienceSettings,
    private readonly events: RoutingEvents,
    private readonly random: () => number = Math.random,
  ) {
    // One retry policy for every call to this provider: what differs per call travels on the
    // failure (RetryableFailure), so a call that succeeds first time builds no policy of its own.
    this.retries = retry(
      handleWhen((error) => error instanceof RetryableFailure),
      {
        maxAttempts: settings.retry.maxAttempts - 1,
        backoff: new DelegateBackoff((context) =>
          'error' in context.result && context.result.error instanceof RetryableFailure
            ? context.result.error.delayMs
            : 0,
        ),
      },
    );
    this.retries.onRetry((reason) => {
      const failure = 'error' in reason ? reason.error : undefined;
      if (!(failure instanceof RetryableFailure)) return;
      this.events.emit({
        type: 'retry',
        traceId: failure.traceId,
        provider: this.providerId,
        model: failure.model,
        attempt: failure.nextAttempt,
        delayMs: reason.delay,
        code: failure.error.code,
      });
    });
    const breaker = settings.circuitBreaker;
    if (!breaker.enabled) return;
    this.breaker = circuitBreaker(handleWhen(countsAgainstBreaker), {
      halfOpenAfter: breaker.halfOpenAfterMs,
      breaker: new FailureRateBreaker(
        breaker.failureRateThreshold,
        breaker.slidingWindowSize,
        breaker.minimumCalls,
      ),
    });
    this.breaker.onStateChange((state) => {
      if (state === CircuitState.Open) this.openUntil = Date.now() + breaker.halfOpenAfterMs;
      if (this.remoteChange) {
        this.events.emit({
          type: 'breaker-state',
          provider: providerId,
          state: STATE_NAMES[state],
          byReplica: true,
        });
        return;
      }
      this.events.emit({
        type: 'breaker-state',
        provider: providerId,
        state: STATE_NAMES[state],
        traceId: this.lastTraceId,
      });
      if (state === CircuitState.Open) {
        this.share({ provider: providerId, state: 'open', until: this.openUntil });
      } else if (state === CircuitState.Closed) {
        this.share({ provider: providerId, state: 'closed' });
      }
    });
  }

  /** Calls `listener` when this replica's breaker opens or closes, for the other replicas. */
  onShareableChange(listener: (change: SharedBreakerChange) => void): void {
    this.shareListeners.push(listener);
  }

  /**
   * Another replica's breaker changed. Open: this one refuses calls too, without calling the
   * provider, until the other half-opens (unless its own breaker is already open or trying a
   * call, which then decides). Closed: this one lets calls through again.
   */
  applyShared(change: SharedBreakerChange): void {
    const breaker = this.breaker;
    if (breaker === undefined) return;
    if (change.state === 'closed') {
      this.releaseHold();
      return;
    }
    const remaining = change.until - Date.now();
    if (remaining <= 0) return;
    if (breaker.state === CircuitState.Open || breaker.state === CircuitState.HalfOpen) return;
    // Take the new hold before dropping the old one, so the breaker never closes in between.
    const handle = this.remotely(() => breaker.isolate());
    if (this.remoteHold !== undefined) {
      clearTimeout(this.remoteHold.timer);
      this.remoteHold.handle.dispose();
    }
    const timer = setTimeout(() => this.releaseHold(), remaining);
    timer.unref();
    this.remoteHold = { handle, timer };
    this.openUntil = change.until;
  }

  /** The breaker's state now (`closed` when it has none). */
  get breakerState(): BreakerState {
    return this.breaker === undefined ? 'closed' : STATE_NAMES[this.breaker.state];
  }

  /**
   * Runs `attempt` until it succeeds, fails for good, or may not be repeated: only retryable
   * errors are retried, never once the caller left, and never when the wait would start the next
   * attempt after the scope's deadline (the error surfaces so a fallback can still answer).
   */
  async execute<T>(model: string, scope: AttemptScope, attempt: Attempt<T>): Promise<T> {
    let started = 0;
    let lastError: unknown;
    try {
      return await this.retries.execute(async () => {
        // cockatiel's wait between attempts cannot be cut short; nothing is sent after it.
        if (scope.signal.aborted) {
          throw lastError instanceof Error ? lastError : this.cancelledError();
        }
        started++;
        try {
          return await this.throughBreaker(scope, () => attempt(this.settings.timeouts));
        } catch (error) {
          lastError = error;
          throw this.retryOf(error, model, scope, started);
        }
      }, forCockatiel(scope.signal));
    } catch (error) {
      // cockatiel gave up on a failure it would have retried (the caller left meanwhile).
      throw error instanceof RetryableFailure ? error.error : error;
    }
  }

  /**
   * What the retry policy is handed for a failed attempt: the error itself when it may not be
   * repeated (cockatiel then rethrows it as it is), or a {@link RetryableFailure} with the wait
   * before the next attempt.
   */
  private retryOf(error: unknown, model: string, scope: AttemptScope, started: number): unknown {
    if (!(error instanceof GatewayError) || !error.retryable || scope.signal.aborted) return error;
    if (started >= this.settings.retry.maxAttempts) return error;
    const delay = retryDelayMs(this.settings.retry, started, error, this.random);
    if (Date.now() + delay < scope.deadlineAt) {
      return new RetryableFailure(error, delay, model, scope.traceId, started + 1);
    }
    this.logger.warn({
      msg: `not retrying provider '${this.providerId}': waiting ${delay} ms would pass the call's deadline`,
      trace_id: scope.traceId,
      provider: this.providerId,
      code: error.code,
    });
    return error;
  }

  private async throughBreaker<T>(scope: AttemptScope, call: () => Promise<T>): Promise<T> {
    if (this.breaker === undefined) return call();
    this.lastTraceId = scope.traceId;
    try {
      return await this.breaker.execute(async () => {
        try {
          return await call();
        } catch (error) {
          throw scope.signal.aborted ? new CallerGone(error) : error;
        } finally {
          this.lastTraceId = scope.traceId;
        }
      }, forCockatiel(scope.signal));
    } catch (error) {
      if (error instanceof BrokenCircuitError) throw this.circuitOpenError();
      if (error instanceof CallerGone) throw error.original;
      throw error;
    }
  }

  private releaseHold(): void {
    const hold = this.remoteHold;
    if (hold === undefined) return;
    this.remoteHold = undefined;
    clearTimeout(hold.timer);
    this.remotely(() => hold.handle.dispose());
  }

  private remotely<T>(change: () => T): T {
    this.remoteChange = true;
    try {
      return change();
    } finally {
      this.remoteChange = false;
    }
  }

  private share(change: SharedBreakerChange): void {
    for (const listener of this.shareListeners) {
      try {
        listener(change);
      } catch (error) {
        this.logger.error({ msg: 'sharing a circuit breaker change failed', err: error });
      }
    }
  }

  private cancelledError(): GatewayError {
    return new GatewayError(
      ErrorCode.ProviderError,
      `The request to provider '${this.providerId}' was cancelled.`,
      { provider: this.providerId },
    );
  }

  private circuitOpenError(): GatewayError {
    const seconds = Math.max(1, Math.ceil((this.openUntil - Date.now()) / 1000));
    return new GatewayError(
      ErrorCode.ProviderCircuitOpen,
      `The provider '${this.providerId}' is unavailable: its circuit breaker opened after repeated failures; retry in ${seconds} seconds.`,
      { provider: this.providerId, retryable: false, retryAfterSeconds: seconds },
    );
  }
}
