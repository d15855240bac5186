/** What a cached key lookup must forget. */
export type KeyInvalidation = { kind: 'key'; keyId: string } | { kind: 'tenant'; tenantId: string };

/**
 * Carries key-cache invalidations to every replica: in process memory without Redis, over Redis
 * pub/sub with it, so a revoked key stops working at once everywhere (contract section 7).
 */
export abstract class KeyInvalidationBus {
  /** Called once at application bootstrap, after connections are up. */
  abstract start(): Promise<void>;
  abstract publish(invalidation: KeyInvalidation): Promise<void>;
  abstract subscribe(handler: (invalidation: KeyInvalidation) => void): void;
}

/** One replica: invalidations go straight to the local subscribers. */
export class InProcessInvalidationBus extends KeyInvalidationBus {
  private readonly handlers: ((invalidation: KeyInvalidation) => void)[] = [];

  start(): Promise<void> {
    return Promise.resolve();
  }

  publish(invalidation: KeyInvalidation): Promise<void> {
    for (const handler of this.handlers) handler(invalidation);
    return Promise.resolve();
  }

  subscribe(handler: (invalidation: KeyInvalidation) => void): void {
    this.handlers.push(handler);
  }
}
