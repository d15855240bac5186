/** A circuit breaker change one replica tells the others about. */
export type SharedBreakerChange =
  /** The provider's breaker opened; it half-opens at `until` (epoch milliseconds). */
  | { readonly provider: string; readonly state: 'open'; readonly until: number }
  /** The provider's breaker closed again after a successful trial call. */
  | { readonly provider: string; readonly state: 'closed' };

/**
 * How replicas share circuit breaker state (contract 13). Each replica keeps its own breaker per
 * provider and the calls never wait on this bus: a breaker that opens or closes is published, and
 * what other replicas publish arrives through {@link subscribe}, to be kept in process.
 */
export abstract class BreakerStateBus {
  /** Starts listening; reports, through the handlers, breakers already open for these providers. */
  abstract start(providers: readonly string[]): Promise<void>;
  /** Tells the other replicas. Never throws and never makes the caller wait. */
  abstract publish(change: SharedBreakerChange): void;
  /** Called for every change another replica publishes. */
  abstract subscribe(handler: (change: SharedBreakerChange) => void): void;
}

/** One replica (no Redis): there is nobody to tell. */
export class LocalBreakerStateBus extends BreakerStateBus {
  start(): Promise<void> {
    return Promise.resolve();
  }

  publish(): void {}

  subscribe(): void {}
}
