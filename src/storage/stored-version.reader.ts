import type Database from 'better-sqlite3';
import { CompiledQuery } from 'kysely';
import { openSqlite } from './database.factory.js';
import type { DatabaseTarget } from './database-target.js';
import type { GatewayDatabase } from './database.types.js';

/** The two numbers replicas poll: every stored-policy write advances one, every budget or price write the other. */
export interface StoredVersions {
  policy: number;
  metering: number;
}

const POLICY_SQL = 'select version from policy_version where id = 1';
const METERING_SQL = 'select version from metering_version where id = 1';
/** Both versions in one round trip (PostgreSQL, or SQLite in memory). */
const BOTH = CompiledQuery.raw(`select (${POLICY_SQL}) as policy, (${METERING_SQL}) as metering`);

/**
 * Reads the stored policy and metering versions into {@link StoredVersions}, as cheaply as the
 * store allows, for a poll that runs every second on every replica. On a SQLite file: two
 * statements prepared once on a connection of its own, read synchronously (no promise, no query
 * builder, nothing allocated but what better-sqlite3 returns: two small integers). Elsewhere
 * (PostgreSQL; SQLite in memory, which a second connection would not see): one query compiled
 * once, through the gateway's database.
 */
export abstract class StoredVersionReader {
  readonly versions: StoredVersions = { policy: -1, metering: -1 };

  /** Fills {@link versions}: at once (`true`), or when the promise resolves. */
  abstract read(): true | Promise<void>;

  abstract close(): void;

  /** The cheapest reader for `target`: its own SQLite connection for a file, else queries. */
  static async open(target: DatabaseTarget, db: GatewayDatabase): Promise<StoredVersionReader> {
    if (target.kind === 'sqlite' && target.path !== ':memory:') {
      return new SqliteVersionReader(await openSqlite(target.path));
    }
    return StoredVersionReader.overQueries(db);
  }

  /** Reads through the gateway's database, one query a read. */
  static overQueries(db: GatewayDatabase): StoredVersionReader {
    return new QueryVersionReader(db);
  }
}

/** A SQLite file, read synchronously through prepared statements on its own connection. */
class SqliteVersionReader extends StoredVersionReader {
  private readonly policy: Database.Statement<[], number>;
  private readonly metering: Database.Statement<[], number>;

  constructor(private readonly connection: Database.Database) {
    super();
    this.policy = connection.prepare<[], number>(POLICY_SQL).pluck();
    this.metering = connection.prepare<[], number>(METERING_SQL).pluck();
  }

  read(): true {
    this.versions.policy = present(this.policy.get());
    this.versions.metering = present(this.metering.get());
    return true;
  }

  close(): void {
    this.connection.close();
  }
}

/** Any database Kysely speaks to: one query, compiled once. */
class QueryVersionReader extends StoredVersionReader {
  constructor(private readonly db: GatewayDatabase) {
    super();
  }

  async read(): Promise<void> {
    const { rows } = await this.db.executeQuery<{ policy: unknown; metering: unknown }>(BOTH);
    const row = rows[0];
    this.versions.policy = present(row?.policy);
    this.versions.metering = present(row?.metering);
  }

  close(): void {
    // The gateway's database is closed by its own lifecycle.
  }
}

/** A version as a number; a missing row (a database the gateway did not migrate) is an error. */
function present(value: unknown): number {
  if (value === undefined || value === null) throw new Error('a stored version row is missing');
  return Number(value);
}
