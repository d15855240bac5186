import { Inject, Injectable, type OnApplicationShutdown, Optional } from '@nestjs/common';
import { sql, type Transaction } from 'kysely';
import type { DatabaseTarget } from './database-target.js';
import {
  DATABASE,
  DATABASE_TARGET,
  type DatabaseSchema,
  type GatewayDatabase,
  type UsageRollupTable,
} from './database.types.js';
import { SqliteUsageWriter } from './sqlite-usage.writer.js';
import { MEASURE_COLUMNS, recordRow, rollupBatches, tagRow } from './usage-rows.js';
import { spendReport } from './usage-report.query.js';
import {
  type SpendQuery,
  type SpendReport,
  type UsageRecord,
  UsageRepository,
} from './usage.repository.js';

/** Rows per INSERT: well under SQLite's and PostgreSQL's bound-parameter limits. */
const CHUNK = 400;

/**
 * {@link UsageRepository} on the gateway's database. A batch is one transaction: raw records,
 * their tag rows, and the hourly and daily sums upserted (`ON CONFLICT ... DO UPDATE` adds to
 * them, on both databases). Sums are upserted in key order, so two replicas flushing at once lock
 * them in the same order and never deadlock. On a SQLite file, batches are written through
 * statements prepared once ({@link SqliteUsageWriter}): the same rows and sums.
 */
@Injectable()
export class KyselyUsageRepository extends UsageRepository implements OnApplicationShutdown {
  /** A SQLite file's path: batches go through {@link SqliteUsageWriter}. */
  private readonly sqlitePath: string | undefined;
  private writer: Promise<SqliteUsageWriter> | undefined;
  private closed = false;

  constructor(
    @Inject(DATABASE) private readonly db: GatewayDatabase,
    @Optional() @Inject(DATABASE_TARGET) target?: DatabaseTarget,
  ) {
    super();
    if (target?.kind === 'sqlite' && target.path !== ':memory:') this.sqlitePath = target.path;
  }

  /** The prepared-statement writer, opened on first use (again after a failed open). */
  private openWriter(path: string): Promise<SqliteUsageWriter> {
    this.writer ??= SqliteUsageWriter.open(path).catch((err: unknown) => {
      this.writer = undefined;
      throw err;
    });
    return this.writer;
  }

  async insert(records: readonly UsageRecord[]): Promise<void> {
    if (records.length === 0) return;
    if (this.sqlitePath !== undefined && !this.closed) {
      const writer = await this.openWriter(this.sqlitePath);
      // Shutdown may have begun while it opened: its connection is then closing.
      if (!this.closed) return writer.insert(records);
    }
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < records.length; i += CHUNK) {
        await trx
          .insertInto('usage_records')
          .values(records.slice(i, i + CHUNK).map(recordRow))
          .execute();
      }
      const tagRows = records.flatMap((r) => r.tags.map((tag) => tagRow(r, tag)));
      for (let i = 0; i < tagRows.length; i += CHUNK) {
        await trx
          .insertInto('usage_record_tags')
          .values(tagRows.slice(i, i + CHUNK))
          .execute();
      }
      await upsertRollups(trx, records);
    });
  }

  async spentNano(
    owner: { tenantId: string; keyId: string | null },
    from: number,
    to: number,
  ): Promise<number> {
    let query = this.db
      .selectFrom('usage_daily')
      .select(sql<number>`cast(coalesce(sum(cost_nusd), 0) as bigint)`.as('spent'))
      .where('tenant_id', '=', owner.tenantId)
      .where('bucket', '>=', from)
      .where('bucket', '<', to);
    if (owner.keyId !== null) query = query.where('key_id', '=', owner.keyId);
    const row = await query.executeTakeFirstOrThrow();
    return Number(row.spent);
  }

  report(query: SpendQuery): Promise<SpendReport> {
    return spendReport(this.db, query);
  }

  /** After the usage recorder's last flush (its module shuts down before storage's). */
  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    const writer = this.writer;
    this.writer = undefined;
    if (writer !== undefined) (await writer).close();
  }
}

async function upsertRollups(
  trx: Transaction<DatabaseSchema>,
  records: readonly UsageRecord[],
): Promise<void> {
  for (const rollup of rollupBatches(records)) {
    await upsert(trx, rollup.table, rollup.plain, false);
    await upsert(trx, rollup.tags, rollup.tagged, true);
  }
}

async function upsert(
  trx: Transaction<DatabaseSchema>,
  table: 'usage_hourly' | 'usage_daily' | 'usage_hourly_tags' | 'usage_daily_tags',
  rows: readonly UsageRollupTable[],
  tagged: boolean,
): Promise<void> {
  const increments = Object.fromEntries(
    MEASURE_COLUMNS.map((column) => [
      column,
      sql<number>`${sql.ref(`${table}.${column}`)} + ${sql.ref(`excluded.${column}`)}`,
    ]),
  );
  const key = ['bucket', 'tenant_id', 'key_id', 'provider', 'model', ...(tagged ? ['tag'] : [])];
  for (let i = 0; i < rows.length; i += CHUNK) {
    await trx
      .insertInto(table)
      .values(rows.slice(i, i + CHUNK))
      .onConflict((oc) => oc.columns(key as never).doUpdateSet(increments))
      .execute();
  }
}
