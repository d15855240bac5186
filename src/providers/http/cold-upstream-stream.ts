import { Observable } from 'rxjs';

/** What a pump gets: where chunks go, and the signal that cancels its upstream call. */
export interface StreamPump<T> {
  /** Fires when the caller unsubscribes before the end (client gone) or the caller's signal aborts. */
  readonly signal: AbortSignal;
  next(chunk: T): void;
  /**
   * Ends the caller's stream now. A pump may keep reading the body afterwards so the keep-alive
   * connection goes back to the pool instead of being destroyed.
   */
  complete(): void;
}

/**
 * The cold Observable every HTTP adapter's `chat$` returns (house-style practice 3): `pump` (the
 * upstream call and the reading of its body) starts on subscribe; unsubscribing before the stream
 * settles aborts it; a failure is mapped once by `mapError` and ends the stream.
 */
export function coldUpstreamStream<T>(
  callerSignal: AbortSignal | undefined,
  pump: (stream: StreamPump<T>) => Promise<void>,
  mapError: (error: unknown) => unknown,
): Observable<T> {
  return new Observable<T>((subscriber) => {
    const controller = new AbortController();
    const abort = () => controller.abort();
    if (callerSignal?.aborted) abort();
    else callerSignal?.addEventListener('abort', abort, { once: true });

    let settled = false;
    const complete = () => {
      if (settled) return;
      settled = true;
      subscriber.complete();
    };
    pump({ signal: controller.signal, next: (chunk) => subscriber.next(chunk), complete }).then(
      complete,
      (error: unknown) => {
        if (settled) return;
        settled = true;
        subscriber.error(mapError(error));
      },
    );
    return () => {
      callerSignal?.removeEventListener('abort', abort);
      if (!settled) controller.abort();
    };
  });
}
