import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { RedisConnection } from '../../storage/redis.connection.js';

/**
 * Announces "stored budgets or prices changed" to every replica over Redis pub/sub, when Redis is
 * configured; without it, replicas learn of changes by polling the metering version alone. A
 * replica ignores its own announcements: it reloaded before publishing.
 */
@Injectable()
export class MeteringChangeBus {
  private readonly logger = new Logger('Metering');
  private readonly origin = randomUUID();
  private readonly channel: string;
  private handler?: () => void;
  private subscribed = false;

  constructor(private readonly redis: RedisConnection) {
    this.channel = `${redis.keyPrefix}metering:changed`;
  }

  async start(handler: () => void): Promise<void> {
    this.handler = handler;
    if (this.subscribed) return;
    const subscriber = this.redis.createSubscriber();
    if (subscriber === undefined) return;
    this.subscribed = true;
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channel && message !== this.origin) this.handler?.();
    });
    try {
      await subscriber.subscribe(this.channel);
    } catch (error) {
      this.logger.warn(
        `Could not subscribe to budget and price changes over Redis (${error instanceof Error ? error.message : String(error)}); replicas converge by polling.`,
      );
    }
  }

  async publish(): Promise<void> {
    await this.redis.client?.publish(this.channel, this.origin);
  }
}
