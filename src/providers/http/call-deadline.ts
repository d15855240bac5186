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
 * One upstream call's cancellation: its signal fires on the caller's signal, on {@link cancel},
 * when the whole call runs past its limit, or after too long a silence (when an idle limit is
 * set and {@link touch} is called as data arrives). It records which, so the failure says
 * "timed out" rather than "aborted". Used by the shared HTTP client and by adapters whose vendor
 * SDK takes an `AbortSignal`.
 */
export class CallDeadline {
  private readonly controller = new AbortController();
  private readonly totalTimer: NodeJS.Timeout;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly caller: AbortSignal | undefined,
    private readonly limits: DeadlineLimits,
  ) {
    if (caller?.aborted) this.onCallerAbort();
    else caller?.addEventListener('abort', this.onCallerAbort, { once: true });
    this.totalTimer = setTimeout(() => this.fail(limits.totalMessage), limits.totalMs);
    this.touch();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Why the call was stopped, if it was. */
  reason(): UpstreamHttpError | undefined {
    const reason: unknown = this.controller.signal.reason;
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
    this.caller?.removeEventListener('abort', this.onCallerAbort);
  }

  private fail(message: string): void {
    this.controller.abort(new UpstreamHttpError('timeout', message));
  }

  private readonly onCallerAbort = (): void => {
    this.controller.abort(new UpstreamHttpError('aborted', 'the caller cancelled the request'));
  };
}
