import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createDatabase } from '../../src/storage/database.factory.js';
import { warnStorage } from '../../src/storage/storage.logger.js';
import { resolveDatabaseTarget } from '../../src/storage/database-target.js';
import type { GatewayDatabase } from '../../src/storage/database.types.js';

export type TestDatabaseKind = 'sqlite' | 'postgres';

export interface TestDatabase {
  readonly kind: TestDatabaseKind;
  /** A `GATEWAY_DATABASE_URL` value: `file:<tmp>/gateway.db` or `postgres://.../gw_test_...`. */
  readonly url: string;
  /** Removes the database (the SQLite folder, or DROP DATABASE ... WITH (FORCE)); idempotent. */
  drop(): Promise<void>;
}

/**
 * The PostgreSQL server tests use (services.md: trust auth, user postgres). Override with
 * GATEWAY_TEST_POSTGRES_URL (a maintenance database URL) to point elsewhere.
 */
const ADMIN_URL =
  process.env.GATEWAY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REACH_TIMEOUT_MS = 3_000;

/** The Redis tests use (services.md); override with GATEWAY_TEST_REDIS_URL. Use a key prefix of your own. */
export const TEST_REDIS_URL = process.env.GATEWAY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';

/**
 * A fresh, empty database of its own for one test file (or one gateway under test): a SQLite file
 * in a new temporary folder, or a uniquely named PostgreSQL database on the local server. Boot the
 * gateway on it with `GATEWAY_DATABASE_URL: db.url`, and call `drop()` in `afterAll`.
 */
export async function createTestDatabase(kind: TestDatabaseKind): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'gw-db-'));
    return {
      kind,
      url: `file:${join(dir, 'gateway.db')}`,
      drop: () => {
        rmSync(dir, { recursive: true, force: true });
        return Promise.resolve();
      },
    };
  }
  const name = `gw_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE "${name}"`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    kind,
    url: url.toString(),
    drop: async () => {
      if (dropped) return;
      dropped = true;
      await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

/** A query builder on a test database's URL, opened the way the gateway opens it (not migrated). */
export function openDatabase(url: string): GatewayDatabase {
  return createDatabase(resolveDatabaseTarget({ databaseUrl: url, sqlitePath: '' }), warnStorage);
}

async function withAdmin(work: (admin: pg.Client) => Promise<unknown>): Promise<void> {
  const admin = new pg.Client({
    connectionString: ADMIN_URL,
    connectionTimeoutMillis: REACH_TIMEOUT_MS,
  });
  try {
    await admin.connect();
  } catch (err) {
    await admin.end().catch(() => undefined);
    const { hostname, port } = new URL(ADMIN_URL);
    throw new Error(
      `PostgreSQL at ${hostname}:${port || '5432'} is not reachable: start it as ../shared/docs/services.md says` +
        ` (${err instanceof Error ? err.message : String(err)})`,
      { cause: err },
    );
  }
  try {
    await work(admin);
  } finally {
    await admin.end();
  }
}
