import { Observable } from 'rxjs';
import type { TargetCall } from './failover.executor.js';

/** One upstream attempt's span, while the call is traced. */
export interface AttemptTrace {
  /** The W3C Trace Context headers that name this attempt's span, for the upstream request. */
  readonly traceContext: Readonly<Record<string, string>>;
  /** The attempt's answer (JSON) or one of its chunks (stream): what it says of itself. */
  observe(value: unknown): void;
  /** The attempt answered (no error) or failed with `error`. */
  end(error?: unknown): void;
  /** The caller went away while the attempt was in flight. */
  cancel(): void;
}

/** What routing may ask of a traced call: a child span for each upstream attempt. */
export interface CallTrace {
  attempt(provider: string, model: string, serverAddress?: string): AttemptTrace;
}

/** A routed call as routing sees it: its trace id and, when tracing is on, its trace. */
export interface RoutedCall {
  readonly traceId: string;
  readonly trace?: CallTrace;
}

/** Each call of `call` (one upstream attempt, retries included) in a span of `trace`. */
export function tracedAttempts<T>(
  trace: CallTrace,
  call: TargetCall<Promise<T>>,
): TargetCall<Promise<T>> {
  return async (target, providerCall) => {
    const attempt = trace.attempt(
      target.provider.id,
      target.upstreamModel,
      target.provider.serverAddress,
    );
    try {
      const value = await call(target, { ...providerCall, traceContext: attempt.traceContext });
      attempt.observe(value);
      attempt.end();
      return value;
    } catch (error) {
      if (providerCall.signal?.aborted) attempt.cancel();
      else attempt.end(error);
      throw error;
    }
  };
}

/**
 * Each stream `open` returns (one upstream attempt) in a span of `trace`, from subscription to
 * its last chunk, its error, or the caller's unsubscription.
 */
export function tracedStreams<T>(
  trace: CallTrace,
  open: TargetCall<Observable<T>>,
): TargetCall<Observable<T>> {
  return (target, providerCall) =>
    new Observable<T>((subscriber) => {
      const attempt = trace.attempt(
        target.provider.id,
        target.upstreamModel,
        target.provider.serverAddress,
      );
      let ended = false;
      const traced = { ...providerCall, traceContext: attempt.traceContext };
      const subscription = open(target, traced).subscribe({
        next: (value) => {
          attempt.observe(value);
          subscriber.next(value);
        },
        error: (error: unknown) => {
          ended = true;
          attempt.end(error);
          subscriber.error(error);
        },
        complete: () => {
          ended = true;
          attempt.end();
          subscriber.complete();
        },
      });
      return () => {
        subscription.unsubscribe();
        if (!ended) attempt.cancel();
      };
    });
}
