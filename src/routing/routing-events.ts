import { Injectable, Logger } from '@nestjs/common';

/** A circuit breaker's state, as logs and metrics name it. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** An attempt failed and the same provider is about to be called again. */
export interface RetryEvent {
  readonly type: 'retry';
  readonly traceId: string;
  readonly provider: string;
  /** The model as sent upstream. */
  readonly model: string;
  /** The attempt about to start: 2 for the first retry. */
  readonly attempt: number;
  readonly delayMs: number;
  /** The error code of the failed attempt. */
  readonly code: string;
}

/** One upstream attempt failed (each retry's too); a caller's own abort is not a failure. */
export interface AttemptFailedEvent {
  readonly type: 'attempt-failed';
  readonly traceId: string;
  readonly provider: string;
  /** The model as sent upstream. */
  readonly model: string;
  /** The error code of the attempt. */
  readonly code: string;
}

/** A target failed for good and the route's next target takes over. */
export interface FallbackEvent {
  readonly type: 'fallback';
  readonly traceId: string;
  readonly from: { readonly provider: string; readonly model: string };
  readonly to: { readonly provider: string; readonly model: string };
  /** The error code that made the previous target give up. */
  readonly code: string;
}

/** A provider's circuit breaker changed state. */
export interface BreakerStateEvent {
  readonly type: 'breaker-state';
  readonly provider: string;
  readonly state: BreakerState;
  /** The call whose outcome (or arrival, for half-open) moved the breaker, if known. */
  readonly traceId?: string;
}

export type RoutingEvent = RetryEvent | AttemptFailedEvent | FallbackEvent | BreakerStateEvent;

type Listener<K extends RoutingEvent['type']> = (event: Extract<RoutingEvent, { type: K }>) => void;

/**
 * What routing and resilience did, for observers (metrics): failed attempts, retries, fallbacks
 * and circuit breaker state changes. Every event is also logged, with the trace id when a call is
 * involved (a failed attempt at debug level: the retry, fallback or the call's error says more).
 * Listeners run synchronously and must not throw; one that does is logged and skipped.
 */
@Injectable()
export class RoutingEvents {
  private readonly logger = new Logger('Routing');
  private readonly listeners = new Map<RoutingEvent['type'], Set<(event: never) => void>>();

  /** Calls `listener` for every event of `type`; returns the unsubscribe function. */
  on<K extends RoutingEvent['type']>(type: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(type);
    if (set === undefined) this.listeners.set(type, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  emit(event: RoutingEvent): void {
    this.log(event);
    for (const listener of this.listeners.get(event.type) ?? []) {
      try {
        (listener as (e: RoutingEvent) => void)(event);
      } catch (error) {
        this.logger.error({ msg: `a ${event.type} listener failed`, err: error });
      }
    }
  }

  private log(event: RoutingEvent): void {
    switch (event.type) {
      case 'retry':
        this.logger.warn({
          msg: `retrying provider '${event.provider}' (attempt ${event.attempt}) in ${event.delayMs} ms after ${event.code}`,
          trace_id: event.traceId,
          provider: event.provider,
          model: event.model,
          attempt: event.attempt,
          delay_ms: event.delayMs,
          code: event.code,
        });
        return;
      case 'attempt-failed':
        this.logger.debug({
          msg: `attempt at provider '${event.provider}' failed with ${event.code}`,
          trace_id: event.traceId,
          provider: event.provider,
          model: event.model,
          code: event.code,
        });
        return;
      case 'fallback':
        this.logger.warn({
          msg: `falling back from provider '${event.from.provider}' to '${event.to.provider}' after ${event.code}`,
          trace_id: event.traceId,
          from_provider: event.from.provider,
          from_model: event.from.model,
          provider: event.to.provider,
          model: event.to.model,
          code: event.code,
        });
        return;
      case 'breaker-state': {
        const line = {
          msg: `circuit breaker of provider '${event.provider}' is ${event.state}`,
          trace_id: event.traceId,
          provider: event.provider,
          state: event.state,
        };
        if (event.state === 'open') this.logger.warn(line);
        else this.logger.log(line);
        return;
      }
    }
  }
}
