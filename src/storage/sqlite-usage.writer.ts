import type Database from 'better-sqlite3';
import { openSqlite } from './database.factory.js';
import { MEASURE_COLUMNS, recordRow, rollupBatches, tagRow } from './usage-rows.js';
import type { UsageRecord } from './usage.repository.js';

/** Any record: only the keys of the rows built from it matter, so the columns match the rows. */
const SAMPLE: UsageRecord = {
  at: 0,
  traceId: '',
  tenantId: '',
  keyId: null,
  provider: '',
  model: '',
  inputTokens: 0,
  outputTokens: 0,
  cachedInputTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
  costNano: 0,
  estimated: false,
  priced: false,
  status: 0,
  tags: [],
};
const RECORD_COLUMNS = Object.keys(recordRow(SAMPLE));
const TAG_COLUMNS = Object.keys(tagRow(SAMPLE, ''));
const ROLLUP_KEY = ['bucket', 'tenant_id', 'key_id', 'provider', 'model'];
const ROLLUP_MEASURES = ['requests', 'estimated_requests', 'unpriced_requests', ...MEASURE_COLUMNS];

/** `insert into <table> (a, b) values (@a, @b)`: bound by name from a row object. */
function insertSql(table: string, columns: readonly string[]): string {
  return `insert into ${table} (${columns.join(', ')}) values (${columns.map((c) => `@${c}`).join(', ')})`;
}

/** The same, adding the measures to an existing row of the same key (what the Kysely path does). */
function upsertSql(table: string, tagged: boolean): string {
  const key = tagged ? [...ROLLUP_KEY, 'tag'] : ROLLUP_KEY;
  const adds = ROLLUP_MEASURES.map((c) => `${c} = ${table}.${c} + excluded.${c}`).join(', ');
  return `${insertSql(table, [...key, ...ROLLUP_MEASURES])} on conflict (${key.join(', ')}) do update set ${adds}`;
}

/**
 * Usage batches on a SQLite file through better-sqlite3 statements prepared once, on a connection
 * of its own: the same rows, sums and single transaction as the Kysely path, without building,
 * compiling and preparing a multi-row statement for every flush (about 13 µs of the request
 * thread's CPU a record through Kysely: bench/usage-insert.mjs). Each batch is one
 * `BEGIN IMMEDIATE` transaction, so it waits for another writer's lock rather than fail.
 */
export class SqliteUsageWriter {
  private readonly insertBatch: Database.Transaction<(records: readonly UsageRecord[]) => void>;

  private constructor(private readonly db: Database.Database) {
    const record = db.prepare(insertSql('usage_records', RECORD_COLUMNS));
    const tag = db.prepare(insertSql('usage_record_tags', TAG_COLUMNS));
    const upserts = new Map<string, Database.Statement>();
    for (const table of ['usage_hourly', 'usage_daily']) {
      upserts.set(table, db.prepare(upsertSql(table, false)));
      upserts.set(`${table}_tags`, db.prepare(upsertSql(`${table}_tags`, true)));
    }
    this.insertBatch = db.transaction((records: readonly UsageRecord[]) => {
      for (const r of records) {
        record.run(recordRow(r));
        for (const t of r.tags) tag.run(tagRow(r, t));
      }
      for (const rollup of rollupBatches(records)) {
        const plain = upserts.get(rollup.table)!;
        for (const row of rollup.plain) plain.run(row);
        const tagged = upserts.get(rollup.tags)!;
        for (const row of rollup.tagged) tagged.run(row);
      }
    });
  }

  /** Opens its own connection; the tables must exist (the gateway's migrations made them). */
  static async open(path: string): Promise<SqliteUsageWriter> {
    const db = await openSqlite(path);
    try {
      return new SqliteUsageWriter(db);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /** One batch, in one transaction: all of it stored or none. */
  insert(records: readonly UsageRecord[]): void {
    if (records.length > 0) this.insertBatch.immediate(records);
  }

  close(): void {
    this.db.close();
  }
}
