#!/usr/bin/env node
// The spend report at scale (contract 11.2): a month of 10M usage records in a scratch PostgreSQL
// database, generated with generate_series, then the reports the admin API runs, timed through the
// gateway's own repository (dist/), and EXPLAIN ANALYZE of the statements behind them.
// Usage: npm run build && node bench/spend-report.mjs [rows]   (default 10,000,000; needs the
// local PostgreSQL of services.md, or BENCH_POSTGRES_URL; drops its database at the end).
import pg from 'pg';
import { sql } from 'kysely';

const ROWS = Number(process.argv[2] ?? 10_000_000);
const ADMIN = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const NAME = `gw_bench_spend_${Date.now().toString(36)}`;
const MONTH = Date.parse('2026-11-01T00:00:00Z');
const SPAN = 30 * 86_400_000;

const { createDatabase } = await import('../dist/storage/database.factory.js');
const { resolveDatabaseTarget } = await import('../dist/storage/database-target.js');
const { migrateToLatest } = await import('../dist/storage/database.migrator.js');
const { KyselyUsageRepository } = await import('../dist/storage/kysely-usage.repository.js');

const admin = new pg.Client({ connectionString: ADMIN });
await admin.connect();
await admin.query(`CREATE DATABASE "${NAME}"`);
const url = new URL(ADMIN);
url.pathname = `/${NAME}`;
const db = createDatabase(resolveDatabaseTarget({ databaseUrl: url.toString(), sqlitePath: '' }));
const step = (label, started) =>
  console.log(`${label}: ${((performance.now() - started) / 1000).toFixed(1)} s`);

try {
  await migrateToLatest(db);
  let t = performance.now();
  // 50 tenants, 500 keys, 3 providers, 20 models, evenly over 30 days; every 4th call tagged.
  await sql`insert into usage_records (created_at, trace_id, tenant_id, key_id, provider, model,
      input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens,
      cost_nusd, estimated, priced, status, tags)
    select ${MONTH}::bigint + (i::bigint * ${SPAN}::bigint / ${ROWS}::bigint), 't' || i,
      'tenant-' || (i % 50), 'key_' || (i % 500), (array['openai','anthropic','gemini'])[i % 3 + 1],
      'model-' || (i % 20), 200 + i % 1000, 50 + i % 300, i % 100, 0, 0, 1000 + i % 100000,
      (i % 97 = 0)::int, (i % 89 <> 0)::int, 200, case when i % 4 = 0 then 'team=t' || (i % 8) else '' end
    from generate_series(1, ${ROWS}) as i`.execute(db);
  step(`insert ${ROWS} usage_records`, t);
  t = performance.now();
  await sql`insert into usage_record_tags (created_at, tenant_id, key_id, provider, model, tag,
      estimated, priced, input_tokens, output_tokens, cached_input_tokens, cost_nusd)
    select created_at, tenant_id, key_id, provider, model, tags, estimated, priced, input_tokens,
      output_tokens, cached_input_tokens, cost_nusd from usage_records where tags <> ''`.execute(
    db,
  );
  // What the batches' upserts would have summed, in time order as they are written (the current
  // hour's and day's rows are the ones upserted, so a table's pages follow time).
  for (const [table, bucket] of [
    ['hourly', 3_600_000],
    ['daily', 86_400_000],
  ]) {
    await sql`insert into ${sql.table(`usage_${table}`)} select created_at / ${bucket} * ${bucket},
        tenant_id, coalesce(key_id, ''), provider, model, count(*), sum(estimated), sum(1 - priced),
        sum(input_tokens), sum(output_tokens), sum(cached_input_tokens), sum(cost_nusd)
      from usage_records group by 1, 2, 3, 4, 5 order by 1`.execute(db);
    await sql`insert into ${sql.table(`usage_${table}_tags`)} select created_at / ${bucket} * ${bucket},
        tenant_id, coalesce(key_id, ''), provider, model, tag, count(*), sum(estimated),
        sum(1 - priced), sum(input_tokens), sum(output_tokens), sum(cached_input_tokens),
        sum(cost_nusd)
      from usage_record_tags group by 1, 2, 3, 4, 5, 6 order by 1`.execute(db);
  }
  await sql`analyze`.execute(db);
  step('tags, hourly sums, analyze', t);
  for (const table of [
    'usage_records',
    'usage_record_tags',
    'usage_hourly',
    'usage_hourly_tags',
    'usage_daily',
    'usage_daily_tags',
  ]) {
    const { rows } = await sql`select count(*) as n from ${sql.table(table)}`.execute(db);
    console.log(`  ${table}: ${rows[0].n} rows`);
  }

  const usage = new KyselyUsageRepository(db);
  // A month minus 90 minutes at each end, mid-hour: both raw edges are read too.
  const from = MONTH + 90 * 60_000;
  const to = MONTH + SPAN - 90 * 60_000;
  const reports = [
    ['whole month, total only', { from, to, groupBy: [] }],
    ['by tenant', { from, to, groupBy: ['tenant'] }],
    ['by tenant, model, day', { from, to, groupBy: ['tenant', 'model', 'day'] }],
    ['by key (500 keys)', { from, to, groupBy: ['key'] }],
    ['one tenant by key and day', { from, to, tenantId: 'tenant-7', groupBy: ['key', 'day'] }],
    ['by tag', { from, to, groupBy: ['tag'] }],
  ];
  console.log('\nreport (cold, then warm), ms:');
  for (const [label, query] of reports) {
    const times = [];
    let rows = 0;
    for (let i = 0; i < 2; i++) {
      t = performance.now();
      const report = await usage.report(query);
      times.push(performance.now() - t);
      rows = report.rows.length;
    }
    console.log(`  ${label}: ${times.map((x) => x.toFixed(0)).join(' / ')} (${rows} rows)`);
  }
  t = performance.now();
  const spent = await usage.spentNano({ tenantId: 'tenant-7', keyId: null }, MONTH, MONTH + SPAN);
  console.log(
    `  budget rebuild (one tenant's month): ${(performance.now() - t).toFixed(1)} ms, ${spent} nano-USD`,
  );

  console.log('\nEXPLAIN ANALYZE, whole days (daily sums) by tenant, model, day:');
  await explain(sql`select tenant_id, model, bucket / 86400000, sum(requests), sum(cost_nusd)
    from usage_daily where bucket >= ${MONTH + 86_400_000} and bucket < ${MONTH + SPAN - 86_400_000}
    group by tenant_id, model, bucket / 86400000`);
  console.log('\nEXPLAIN ANALYZE, the whole hours of an edge day (hourly sums) by tenant, model:');
  await explain(sql`select tenant_id, model, sum(requests), sum(cost_nusd)
    from usage_hourly where bucket >= ${MONTH + 2 * 3_600_000} and bucket < ${MONTH + 86_400_000}
    group by tenant_id, model`);
  console.log('\nEXPLAIN ANALYZE, one partial hour at an edge (raw records) by tenant:');
  await explain(sql`select tenant_id, count(*), sum(cost_nusd) from usage_records
    where created_at >= ${from} and created_at < ${MONTH + 2 * 3_600_000} group by tenant_id`);
  console.log("\nEXPLAIN ANALYZE, a budget rebuild (one tenant's month, daily sums):");
  await explain(sql`select sum(cost_nusd) from usage_daily
    where tenant_id = 'tenant-7' and bucket >= ${MONTH} and bucket < ${MONTH + SPAN}`);
} finally {
  await db.destroy();
  await admin.query(`DROP DATABASE IF EXISTS "${NAME}" WITH (FORCE)`);
  await admin.end();
}

async function explain(statement) {
  const { rows } = await sql`explain (analyze, buffers) ${statement}`.execute(db);
  for (const row of rows) console.log(`  ${row['QUERY PLAN']}`);
}
