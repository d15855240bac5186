import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { sql } from 'kysely';
import { describeDatabaseTarget, type DatabaseTarget } from './database-target.js';
import { migrateToLatest } from './database.migrator.js';
import { DATABASE, DATABASE_TARGET, type GatewayDatabase } from './database.types.js';

/**
 * Opens and migrates the database at start-up, closes it at shutdown. StorageModule is global,
 * and Nest initializes global modules first, so the schema is current before any other module's
 * `onModuleInit` runs; it closes last, after everyone else's shutdown hooks.
 */
@Injectable()
export class DatabaseLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Storage');

  constructor(
    @Inject(DATABASE) private readonly db: GatewayDatabase,
    @Inject(DATABASE_TARGET) private readonly target: DatabaseTarget,
  ) {}

  async onModuleInit(): Promise<void> {
    const where = describeDatabaseTarget(this.target);
    try {
      await sql`select 1`.execute(this.db);
    } catch (err) {
      await this.db.destroy();
      throw new Error(
        `Storage is not reachable: ${where} (${setting(this.target)}): ${reason(err)}`,
        { cause: err },
      );
    }
    let applied: string[];
    try {
      applied = await migrateToLatest(this.db);
    } catch (err) {
      await this.db.destroy();
      throw new Error(`Storage ${where}: ${reason(err)}`, { cause: err });
    }
    this.logger.log(
      applied.length > 0
        ? `${where}: applied migrations ${applied.join(', ')}`
        : `${where}: schema is current`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.db.destroy();
  }
}

function setting(target: DatabaseTarget): string {
  return target.kind === 'postgres'
    ? 'GATEWAY_DATABASE_URL'
    : 'GATEWAY_DATABASE_URL / gateway.storage.sqlite-path';
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
