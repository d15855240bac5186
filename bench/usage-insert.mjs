// µs of CPU per usage record written by KyselyUsageRepository.insert on a SQLite file in a
// temporary folder: batches of 125 records (the governed lane's mean flush), 5 rounds of 40
// batches after a warm-up; median and range.
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
const usage = new KyselyUsageRepository(db);

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

for (let i = 0; i < 20; i++) await usage.insert(batch());
const rounds = [];
for (let r = 0; r < 5; r++) {
  const batches = Array.from({ length: 40 }, batch);
  const start = process.cpuUsage();
  for (const b of batches) await usage.insert(b);
  const used = process.cpuUsage(start);
  rounds.push((used.user + used.system) / (40 * BATCH));
}
await db.destroy();
rmSync(folder, { recursive: true, force: true });
rounds.sort((a, b) => a - b);
const f = (x) => x.toFixed(1);
console.log(`usage insert: ${f(rounds[2])} µs of CPU per record (${f(rounds[0])}-${f(rounds[4])})`);
