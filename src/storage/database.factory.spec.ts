import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { createDatabase } from './database.factory.js';
import { warnStorage } from './storage.logger.js';

describe(createDatabase.name, () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-factory-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the SQLite file and its folders on first use, in WAL mode with foreign keys on', async () => {
    const path = join(dir, 'nested', 'deeper', 'gateway.db');
    const db = createDatabase({ kind: 'sqlite', path }, warnStorage);
    expect(existsSync(path)).toBe(false);
    try {
      const pragma = async (name: string) =>
        Object.values((await sql.raw(`pragma ${name}`).execute(db)).rows[0] as object)[0];
      expect(await pragma('journal_mode')).toBe('wal');
      expect(await pragma('synchronous')).toBe(1);
      expect(await pragma('foreign_keys')).toBe(1);
      expect(await pragma('busy_timeout')).toBe(5000);
      expect(existsSync(path)).toBe(true);
    } finally {
      await db.destroy();
    }
  });

  it('runs SQLite transactions as BEGIN IMMEDIATE and rolls them back on failure', async () => {
    const path = join(dir, 'immediate.db');
    const db = createDatabase({ kind: 'sqlite', path }, warnStorage);
    const other = new Database(path, { timeout: 0 });
    try {
      await sql`create table t (v integer)`.execute(db);
      // Holding the write lock from BEGIN, before any write: another connection cannot write.
      await db.transaction().execute(async (trx) => {
        await sql`select 1`.execute(trx);
        expect(() => other.prepare('insert into t values (2)').run()).toThrow(/locked|busy/i);
      });
      other.prepare('insert into t values (2)').run();
      other.prepare('delete from t').run();
      await expect(
        db.transaction().execute(async (trx) => {
          await sql`insert into t values (1)`.execute(trx);
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect((await sql`select count(*) as n from t`.execute(db)).rows).toEqual([{ n: 0 }]);
    } finally {
      other.close();
      await db.destroy();
    }
  });
});
