import { CallCancellation } from '../../common/cancellation/call-cancellation.js';
import { type CancelSignal, onAbort } from '../../common/cancellation/cancel-signal.js';
import { UpstreamHttpError } from './upstream-http.error.js';

export interface DeadlineLimits {
  /** The whole call. */
  readonly totalMs: number;
  readonly totalMessage: string;
  /** The longest silence, restarted by {@link CallDeadline.touch}; none when absent. */
  readonly idleMs?: number;
  readonly idleMessage?: string;
}

/**
 * One upstream attempt's cancellation: it fires on the caller's signal, on {@link cancel},
 * when the whole call runs past its limit, or after too long a silence (when an idle limit is
 * set and {@link touch} is called as data arrives). It records which, so the failure says
 * "timed out" rather than "aborted". Each attempt (a retry, a fallback) has its own, so one
 * attempt's timeout leaves the call and the next attempt alone. The shared HTTP client hands
 * undici {@link cancellation}; adapters whose vendor SDK takes an `AbortSignal` use
 * {@link signal}, built only then.
 */
export class CallDeadline {
  /** What undici listens to: an event emitter, cheaper to build than an `AbortSignal`. */
  readonly cancellation = new CallCancellation();
  private readonly totalTimer: NodeJS.Timeout;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly detach: (() => void) | undefined;

  constructor(
    caller: CancelSignal | undefined,
    private readonly limits: DeadlineLimits,
  ) {
    if (caller?.aborted) this.onCallerAbort();
    else if (caller !== undefined) this.detach = onAbort(caller, this.onCallerAbort);
    this.totalTimer = setTimeout(() => this.fail(limits.totalMessage), limits.totalMs);
    this.touch();
  }

  /** The same cancellation as a standard `AbortSignal`, for vendor SDKs. */
  get signal(): AbortSignal {
    return this.cancellation.signal;
  }

  /** Why the call was stopped, if it was. */
  reason(): UpstreamHttpError | undefined {
    const reason: unknown = this.cancellation.reason;
    return reason instanceof UpstreamHttpError ? reason : undefined;
  }

  /** Something arrived: the silence limit starts again. */
  touch(): void {
    const { idleMs, idleMessage } = this.limits;
    if (idleMs === undefined) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.fail(idleMessage ?? 'upstream fell silent'), idleMs);
  }

  /** The caller holds the stream back: the silence until the next {@link touch} is not the upstream's. */
  pauseIdle(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  /** Stops the call: nobody waits for its answer any more. */
  cancel(): void {
    this.onCallerAbort();
  }

  dispose(): void {
    clearTimeout(this.totalTimer);
    clearTimeout(this.idleTimer);
    this.detach?.();
  }

  private fail(message: string): void {
    if (this.cancellation.aborted) return;
    this.cancellation.abort(new UpstreamHttpError('timeout', message));
  }

  private readonly onCallerAbort = (): void => {
    if (this.cancellation.aborted) return;
    this.cancellation.abort(new UpstreamHttpError('aborted', 'the caller cancelled the request'));
  };
}
