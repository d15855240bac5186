import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { withDeadline } from './deadline.js';
import { describeDatabaseTarget, type DatabaseTarget } from './database-target.js';
import { DATABASE, DATABASE_TARGET, type GatewayDatabase } from './database.types.js';
import { RedisConnection } from './redis.connection.js';

const PING_TIMEOUT_MS = 2_000;

/**
 * Readiness of the storage behind the gateway, for /health/ready: each ping resolves when the
 * backend answers within two seconds and rejects with a log-safe message (no credentials)
 * otherwise.
 */
@Injectable()
export class StorageHealth {
  constructor(
    @Inject(DATABASE) private readonly db: GatewayDatabase,
    @Inject(DATABASE_TARGET) private readonly target: DatabaseTarget,
    private readonly redis: RedisConnection,
  ) {}

  /** Whether a Redis is configured (and so checked by {@link ping}). */
  get redisConfigured(): boolean {
    return this.redis.client !== undefined;
  }

  /** The database and, when configured, Redis. */
  async ping(): Promise<void> {
    await Promise.all([this.pingDatabase(), this.pingRedis()]);
  }

  async pingDatabase(): Promise<void> {
    const where = describeDatabaseTarget(this.target);
    try {
      await withDeadline(sql`select 1`.execute(this.db), PING_TIMEOUT_MS, 'no answer in time');
    } catch (err) {
      throw new Error(`${where} is not answering: ${message(err)}`, { cause: err });
    }
  }

  /** Resolves at once when Redis is not configured. */
  async pingRedis(): Promise<void> {
    const client = this.redis.client;
    if (client === undefined) return;
    try {
      await withDeadline(client.ping(), PING_TIMEOUT_MS, 'no answer in time');
    } catch (err) {
      throw new Error(`Redis at ${this.redis.description} is not answering: ${message(err)}`, {
        cause: err,
      });
    }
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
