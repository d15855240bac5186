import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import type { DatabaseTarget } from './database-target.js';
import type { DatabaseSchema, GatewayDatabase } from './database.types.js';
import { ImmediateSqliteDialect } from './sqlite-immediate.dialect.js';

/** PostgreSQL's int8 (BIGINT, also `count(*)`), parsed as a number: our epoch-ms values fit. */
const INT8_OID = 20;
const POOL_SIZE = 10;
const CONNECT_TIMEOUT_MS = 5_000;
const SQLITE_BUSY_TIMEOUT_MS = 5_000;

/**
 * Opens (lazily: on the first query) the database a {@link DatabaseTarget} names. SQLite runs in
 * WAL mode with `synchronous=NORMAL` (durable across application crashes, fast commits) and
 * foreign keys on, and its folder is created if missing; PostgreSQL gets a small `pg` pool.
 * `destroy()` closes either. Each driver is imported when its database is first opened, so a
 * gateway loads only the one it uses.
 */
/**
 * Where a database reports trouble nobody asked about (a pooled PostgreSQL connection lost):
 * the gateway's logger on its thread, a forwarder in the audit worker. A parameter rather than
 * Nest's Logger, so the audit worker does not load Nest (about 18 MB of its own heap).
 */
export type StorageWarn = (message: string) => void;

export function createDatabase(target: DatabaseTarget, warn: StorageWarn): GatewayDatabase {
  switch (target.kind) {
    case 'sqlite':
      return new Kysely<DatabaseSchema>({
        dialect: new ImmediateSqliteDialect({ database: () => openSqlite(target.path) }),
      });
    case 'postgres':
      return new Kysely<DatabaseSchema>({
        dialect: new PostgresDialect({ pool: () => createPool(target.url, warn) }),
      });
  }
}

/**
 * A better-sqlite3 connection to a SQLite file with the gateway's settings (WAL,
 * `synchronous=NORMAL`, foreign keys, the busy timeout), its folder created if missing.
 */
export async function openSqlite(path: string): Promise<Database.Database> {
  const { default: Sqlite } = await import('better-sqlite3');
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Sqlite(path, { timeout: SQLITE_BUSY_TIMEOUT_MS });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

async function createPool(url: string, warn: StorageWarn): Promise<pg.Pool> {
  const { default: pg } = await import('pg');
  const builtinParser: (oid: number, format?: 'text' | 'binary') => unknown =
    pg.types.getTypeParser;
  /** pg's parsers, except int8 (text format) as a number; the pool's own, not pg's global table. */
  const int8AsNumber = ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : builtinParser(oid, format)) as typeof pg.types.getTypeParser;
  const pool = new pg.Pool({
    connectionString: url,
    max: POOL_SIZE,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: 'llm-gateway',
    types: { getTypeParser: int8AsNumber },
  });
  // An idle client losing its server (restart, failover) is reported here; unhandled, it would
  // end the process. The pool replaces the client on the next query.
  pool.on('error', (err) => {
    warn(`PostgreSQL connection lost: ${err.message}`);
  });
  // A client checked out but between two queries (inside a transaction, or just acquired) when
  // the server goes away emits 'error' on itself, where the pool's idle listener is not attached:
  // unhandled, that ends the process. The query that follows fails on its own, and the pool drops
  // the broken client when it is released, so this listener only has to exist.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  return pool;
}
