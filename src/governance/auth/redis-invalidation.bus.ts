import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { type KeyInvalidation, KeyInvalidationBus } from './key-invalidation.bus.js';

interface Envelope {
  readonly origin: string;
  readonly invalidation: KeyInvalidation;
}

/**
 * Key-cache invalidations over Redis pub/sub: every replica subscribes to one channel, so a key
 * revoked through any replica stops working on all of them at once. Local subscribers hear about
 * a local change immediately, without waiting for the round trip.
 */
export class RedisInvalidationBus extends KeyInvalidationBus {
  private readonly logger = new Logger(RedisInvalidationBus.name);
  private readonly origin = randomUUID();
  private readonly handlers: ((invalidation: KeyInvalidation) => void)[] = [];

  /**
   * @param publisher a connection used for PUBLISH
   * @param subscriber a dedicated connection (a subscribed Redis connection can do nothing else)
   */
  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly channel: string,
  ) {
    super();
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.receive(message);
    });
  }

  /** Resolves once the subscription is active. */
  async start(): Promise<void> {
    await this.subscriber.subscribe(this.channel);
  }

  async publish(invalidation: KeyInvalidation): Promise<void> {
    this.deliver(invalidation);
    const envelope: Envelope = { origin: this.origin, invalidation };
    await this.publisher.publish(this.channel, JSON.stringify(envelope));
  }

  subscribe(handler: (invalidation: KeyInvalidation) => void): void {
    this.handlers.push(handler);
  }

  private receive(message: string): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(message) as Envelope;
    } catch {
      this.logger.warn('Ignoring a malformed key invalidation message');
      return;
    }
    if (envelope.origin === this.origin) return;
    const { invalidation } = envelope;
    if (invalidation?.kind === 'key' && typeof invalidation.keyId === 'string') {
      this.deliver(invalidation);
    } else if (invalidation?.kind === 'tenant' && typeof invalidation.tenantId === 'string') {
      this.deliver(invalidation);
    } else {
      this.logger.warn('Ignoring a malformed key invalidation message');
    }
  }

  private deliver(invalidation: KeyInvalidation): void {
    for (const handler of this.handlers) handler(invalidation);
  }
}
