import { type Kysely, sql } from 'kysely';

/*
 * Metering (contract 11.1-11.3). Frozen once released, under the rules of 0001's header.
 *
 * - `usage_records`: one row per settled call, written in batches; `usage_record_tags` one row per
 *   cost tag of a call, carrying the same measures, so a report grouped by tag needs no join.
 * - `usage_daily` and `usage_hourly` (and their `_tags`): the same measures summed per UTC day or
 *   hour (`bucket`, its start), tenant, key, provider and model (and tag), upserted with every
 *   batch. Reports read daily rows for whole days, hourly rows for the whole hours at the edges of
 *   the range and raw rows only for the partial hours, so a month of 10M calls is tens of
 *   thousands of rows to sum, not millions (bench/spend-report.md has the measurements); budget
 *   counters are rebuilt from the daily rows. `key_id` is '' there for calls without a key: NULLs
 *   never collide in a unique index.
 * - Money is integer nano-USD (BIGINT): sums are exact on both databases and budgets rebuilt from
 *   these rows match the counters to the last unit.
 * - `budgets` and `pricing` are what the admin API stores; `metering_version` (one row) is
 *   advanced by every write to either, and replicas poll it, as they do `policy_version`.
 */

const MEASURES = [
  ['input_tokens', 'bigint'],
  ['output_tokens', 'bigint'],
  ['cached_input_tokens', 'bigint'],
  ['cost_nusd', 'bigint'],
] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('usage_records')
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('trace_id', 'text', (col) => col.notNull())
    .addColumn('tenant_id', 'text', (col) => col.notNull())
    .addColumn('key_id', 'text')
    .addColumn('provider', 'text', (col) => col.notNull())
    .addColumn('model', 'text', (col) => col.notNull())
    .addColumn('input_tokens', 'bigint', (col) => col.notNull())
    .addColumn('output_tokens', 'bigint', (col) => col.notNull())
    .addColumn('cached_input_tokens', 'bigint', (col) => col.notNull())
    .addColumn('cache_write_tokens', 'bigint', (col) => col.notNull())
    .addColumn('reasoning_tokens', 'bigint', (col) => col.notNull())
    .addColumn('cost_nusd', 'bigint', (col) => col.notNull())
    .addColumn('estimated', 'integer', (col) => col.notNull())
    .addColumn('priced', 'integer', (col) => col.notNull())
    .addColumn('status', 'integer', (col) => col.notNull())
    /** Comma-joined `name=value` tags, for reading a record; reports use usage_record_tags. */
    .addColumn('tags', 'text', (col) => col.notNull().defaultTo(''))
    .execute();
  await db.schema
    .createIndex('usage_records_created_idx')
    .on('usage_records')
    .column('created_at')
    .execute();
  await db.schema
    .createIndex('usage_records_tenant_created_idx')
    .on('usage_records')
    .columns(['tenant_id', 'created_at'])
    .execute();

  let tags = db.schema
    .createTable('usage_record_tags')
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('tenant_id', 'text', (col) => col.notNull())
    .addColumn('key_id', 'text')
    .addColumn('provider', 'text', (col) => col.notNull())
    .addColumn('model', 'text', (col) => col.notNull())
    .addColumn('tag', 'text', (col) => col.notNull())
    .addColumn('estimated', 'integer', (col) => col.notNull())
    .addColumn('priced', 'integer', (col) => col.notNull());
  for (const [name, type] of MEASURES) tags = tags.addColumn(name, type, (col) => col.notNull());
  await tags.execute();
  await db.schema
    .createIndex('usage_record_tags_created_idx')
    .on('usage_record_tags')
    .column('created_at')
    .execute();

  for (const period of ['hourly', 'daily'] as const) {
    for (const tagged of [false, true]) {
      const table = `usage_${period}${tagged ? '_tags' : ''}`;
      let rollup = db.schema
        .createTable(table)
        .addColumn('bucket', 'bigint', (col) => col.notNull())
        .addColumn('tenant_id', 'text', (col) => col.notNull())
        .addColumn('key_id', 'text', (col) => col.notNull())
        .addColumn('provider', 'text', (col) => col.notNull())
        .addColumn('model', 'text', (col) => col.notNull());
      if (tagged) rollup = rollup.addColumn('tag', 'text', (col) => col.notNull());
      rollup = rollup
        .addColumn('requests', 'bigint', (col) => col.notNull())
        .addColumn('estimated_requests', 'bigint', (col) => col.notNull())
        .addColumn('unpriced_requests', 'bigint', (col) => col.notNull());
      for (const [name, type] of MEASURES)
        rollup = rollup.addColumn(name, type, (c) => c.notNull());
      await rollup.execute();
      const key = [
        'bucket',
        'tenant_id',
        'key_id',
        'provider',
        'model',
        ...(tagged ? ['tag'] : []),
      ];
      await db.schema.createIndex(`${table}_unique_idx`).on(table).columns(key).unique().execute();
    }
  }
  await db.schema
    .createIndex('usage_daily_tenant_idx')
    .on('usage_daily')
    .columns(['tenant_id', 'bucket'])
    .execute();

  await db.schema
    .createTable('budgets')
    .addColumn('id', 'text', (col) => col.primaryKey().notNull())
    .addColumn('tenant_id', 'text', (col) => col.notNull())
    .addColumn('key_id', 'text')
    .addColumn('period', 'text', (col) => col.notNull())
    .addColumn('limit_usd', 'double precision', (col) => col.notNull())
    .addColumn('soft_limit_pct', 'double precision', (col) => col.notNull())
    .addColumn('enabled', 'integer', (col) => col.notNull())
    .addColumn('source', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .addCheckConstraint('budgets_period_check', sql`period in ('day', 'week', 'month')`)
    .addCheckConstraint('budgets_limit_check', sql`limit_usd >= 0`)
    .execute();
  await db.schema.createIndex('budgets_tenant_idx').on('budgets').column('tenant_id').execute();

  await db.schema
    .createTable('pricing')
    .addColumn('provider', 'text', (col) => col.notNull())
    .addColumn('model', 'text', (col) => col.notNull())
    .addColumn('input', 'double precision', (col) => col.notNull())
    .addColumn('output', 'double precision', (col) => col.notNull())
    .addColumn('cached_input', 'double precision')
    .addColumn('cache_write', 'double precision')
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .addPrimaryKeyConstraint('pricing_pk', ['provider', 'model'])
    .execute();

  await db.schema
    .createTable('metering_version')
    .addColumn('id', 'integer', (col) => col.primaryKey().notNull())
    .addColumn('version', 'bigint', (col) => col.notNull())
    .addCheckConstraint('metering_version_single_row_check', sql`id = 1`)
    .execute();
  await sql`insert into metering_version (id, version) values (1, 0)`.execute(db);
}
