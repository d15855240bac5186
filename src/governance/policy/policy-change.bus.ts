import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { RedisConnection } from '../../storage/redis.connection.js';

/**
 * Announces "stored policies changed" to every replica over Redis pub/sub, when Redis is
 * configured; without it, replicas learn of changes by polling the policy version alone. A
 * replica ignores its own announcements: it reloaded before publishing.
 */
@Injectable()
export class PolicyChangeBus {
  private readonly logger = new Logger('Policies');
  private readonly origin = randomUUID();
  private readonly handlers: (() => void)[] = [];
  private readonly channel: string;
  private subscribed = false;

  constructor(private readonly redis: RedisConnection) {
    this.channel = `${redis.keyPrefix}policies:changed`;
  }

  subscribe(handler: () => void): void {
    this.handlers.push(handler);
  }

  async start(): Promise<void> {
    if (this.subscribed) return;
    const subscriber = this.redis.createSubscriber();
    if (subscriber === undefined) return;
    this.subscribed = true;
    subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.channel || message === this.origin) return;
      for (const handler of this.handlers) handler();
    });
    try {
      await subscriber.subscribe(this.channel);
    } catch (error) {
      // Polling still converges; say that changes are slower to arrive.
      this.logger.warn(
        `Could not subscribe to policy changes over Redis (${error instanceof Error ? error.message : String(error)}); replicas converge by polling.`,
      );
    }
  }

  async publish(): Promise<void> {
    await this.redis.client?.publish(this.channel, this.origin);
  }
}
