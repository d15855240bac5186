import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { BreakerStateBus, type SharedBreakerChange } from './breaker-state.bus.js';

interface Envelope {
  readonly origin: string;
  readonly change: SharedBreakerChange;
}

/**
 * Circuit breaker state over Redis: an open breaker is a key (`breaker:<provider>`, holding the
 * epoch ms at which it half-opens, expiring then) plus a pub/sub message, so every replica learns
 * of it at once and a replica that starts, or reconnects, later reads the keys. Calls never touch
 * Redis: replicas keep what they hear in process. When Redis is away, each replica keeps judging
 * providers with its own breaker (said once per outage in the log) and shares again once it is
 * back.
 */
export class RedisBreakerStateBus extends BreakerStateBus {
  private readonly logger = new Logger('Routing');
  private readonly origin = randomUUID();
  private readonly handlers: ((change: SharedBreakerChange) => void)[] = [];
  private providers: readonly string[] = [];
  private outage = false;

  /**
   * @param client the shared connection (its key prefix applies to the keys)
   * @param subscriber a dedicated connection (a subscribed Redis connection can do nothing else)
   * @param channel the pub/sub channel, already prefixed
   */
  constructor(
    private readonly client: Redis,
    private readonly subscriber: Redis,
    private readonly channel: string,
  ) {
    super();
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.receive(message);
    });
    // Messages sent while this replica was cut off are lost: read the keys again.
    this.subscriber.on('ready', () => void this.readOpenBreakers());
  }

  async start(providers: readonly string[]): Promise<void> {
    this.providers = providers;
    try {
      await this.subscriber.subscribe(this.channel);
    } catch (error) {
      this.reportOutage(error);
    }
    await this.readOpenBreakers();
  }

  publish(change: SharedBreakerChange): void {
    const key = breakerKey(change.provider);
    const envelope: Envelope = { origin: this.origin, change };
    const stored =
      change.state === 'open'
        ? this.client.set(key, String(change.until), 'PX', Math.max(1, change.until - Date.now()))
        : this.client.del(key);
    stored
      .then(() => this.client.publish(this.channel, JSON.stringify(envelope)))
      .then(
        () => this.reportRecovery(),
        (error: unknown) => this.reportOutage(error),
      );
  }

  subscribe(handler: (change: SharedBreakerChange) => void): void {
    this.handlers.push(handler);
  }

  private async readOpenBreakers(): Promise<void> {
    if (this.providers.length === 0) return;
    let values: (string | null)[];
    try {
      values = await this.client.mget(this.providers.map(breakerKey));
    } catch (error) {
      this.reportOutage(error);
      return;
    }
    this.reportRecovery();
    values.forEach((value, i) => {
      const until = Number(value);
      if (value !== null && Number.isFinite(until) && until > Date.now()) {
        this.deliver({ provider: this.providers[i], state: 'open', until });
      }
    });
  }

  private receive(message: string): void {
    let envelope: Partial<Envelope>;
    try {
      envelope = JSON.parse(message) as Partial<Envelope>;
    } catch {
      this.logger.warn('Ignoring a malformed circuit breaker message');
      return;
    }
    if (envelope.origin === this.origin) return;
    const change = envelope.change;
    const valid =
      typeof change?.provider === 'string' &&
      (change.state === 'closed' || (change.state === 'open' && typeof change.until === 'number'));
    if (!valid) {
      this.logger.warn('Ignoring a malformed circuit breaker message');
      return;
    }
    this.deliver(change);
  }

  private deliver(change: SharedBreakerChange): void {
    for (const handler of this.handlers) handler(change);
  }

  private reportOutage(error: unknown): void {
    if (this.outage) return;
    this.outage = true;
    this.logger.warn(
      `Circuit breaker state is not shared over Redis (${error instanceof Error ? error.message : String(error)}): each replica judges providers with its own breaker until Redis answers again.`,
    );
  }

  private reportRecovery(): void {
    if (!this.outage) return;
    this.outage = false;
    this.logger.log('Circuit breaker state is shared over Redis again');
  }
}

function breakerKey(provider: string): string {
  return `breaker:${provider}`;
}
