// µs of CPU per usage record written by KyselyUsageRepository.insert on a SQLite file in a
// temporary folder, both ways: through Kysely (what PostgreSQL and in-memory SQLite use) and
// through the statements prepared once that a SQLite file's batches use (the gateway's
// DATABASE_TARGET given). Batches of 125 records (the governed lane's mean flush), 5 rounds of 40
// batches after a warm-up, the two ways interleaved; median and range.
//   node bench/usage-insert.mjs [dist folder, default ./dist]   (build first)
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = pathToFileURL(resolve(process.argv[2] ?? 'dist')).href;
const { createDatabase } = await import(`${dist}/storage/database.factory.js`);
const { resolveDatabaseTarget } = await import(`${dist}/storage/database-target.js`);
const { migrateToLatest } = await import(`${dist}/storage/database.migrator.js`);
const { KyselyUsageRepository } = await import(`${dist}/storage/kysely-usage.repository.js`);

const BATCH = 125;
const folder = mkdtempSync(join(os.tmpdir(), 'usage-insert-'));
const db = createDatabase(
  resolveDatabaseTarget({ databaseUrl: '', sqlitePath: join(folder, 'gateway.db') }),
  () => undefined,
);
await migrateToLatest(db);
const target = resolveDatabaseTarget({ databaseUrl: '', sqlitePath: join(folder, 'gateway.db') });
const ways = {
  kysely: new KyselyUsageRepository(db),
  prepared: new KyselyUsageRepository(db, target),
};

let n = 0;
const batch = () =>
  Array.from({ length: BATCH }, () => ({
    at: Date.now(),
    traceId: `trace-${n++}`,
    tenantId: 'bench',
    keyId: 'key_bench',
    provider: 'openai',
    model: 'gpt-4o-mini',
    inputTokens: 24,
    outputTokens: 9,
    cachedInputTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    costNano: 9_000,
    estimated: false,
    priced: true,
    status: 200,
    tags: [],
  }));

const rounds = { kysely: [], prepared: [] };
for (const usage of Object.values(ways)) for (let i = 0; i < 20; i++) await usage.insert(batch());
for (let r = 0; r < 5; r++) {
  for (const [way, usage] of Object.entries(ways)) {
    const batches = Array.from({ length: 40 }, batch);
    const start = process.cpuUsage();
    for (const b of batches) await usage.insert(b);
    const used = process.cpuUsage(start);
    rounds[way].push((used.user + used.system) / (40 * BATCH));
  }
}
await ways.prepared.onApplicationShutdown();
await db.destroy();
rmSync(folder, { recursive: true, force: true });
const f = (x) => x.toFixed(1);
for (const [way, figures] of Object.entries(rounds)) {
  figures.sort((a, b) => a - b);
  console.log(
    `usage insert, ${way}: ${f(figures[2])} µs of CPU per record (${f(figures[0])}-${f(figures[4])})`,
  );
}
