// The audit writer's insert path, CPU per event: what the audit worker thread spends committing
// sealed records to a SQLite file, through Kysely's multi-row insert (the worker's store before
// it had its own statements; still the PostgreSQL path) and through the prepared better-sqlite3
// statements it now uses (src/storage/sqlite-audit.appender.ts).
//
//   node bench/audit-insert.mjs [--events N] [--batch N] [--rounds N] [--prefill N]  (build first)
//
// The records are sealed (RFC 8785, SHA-256, HMAC, as the writer seals them) before the timed
// part, which is only the commits: `events` records in transactions of `batch` (the bench's
// governed lane commits 25-43 a batch on average), on one connection, in the file's WAL mode, the
// migrations' indexes and triggers in place. Rounds alternate between the two paths on the same
// file. CPU is this thread's own, read from /proc/self/task/<tid>/stat (user + system), so other
// load on the machine lengthens a round but does not add to its figure; process.cpuUsage() (all
// threads) is printed beside it. Figures: µs of CPU per event, median of the rounds (and range).
// `--prefill N` first stores N rows (another writer's, random ids as the gateway's are): an insert
// costs more in a grown table, where each random-key index (trace_id) lands on a page of its own.
// `--trace-ids random` gives the records random (v4) trace ids, as the gateway minted them before
// it minted time-ordered (v7) ones, the default here: the trace_id index's cost is the difference.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gatewayResponsePayload } from './audit-events.mjs';

const DIST = join(dirname(dirname(fileURLToPath(import.meta.url))), 'dist');
const SECRET = 'bench-audit-insert-secret-0123456789abcdef';
const CLK_TCK = 100;

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const EVENTS = arg('events', 5_000);
const BATCH = arg('batch', 25);
const ROUNDS = arg('rounds', 6);
const PREFILL = arg('prefill', 0);
const traceIdsAt = process.argv.indexOf('--trace-ids');
const TRACE_IDS = traceIdsAt === -1 ? 'time' : process.argv[traceIdsAt + 1];
if (TRACE_IDS !== 'time' && TRACE_IDS !== 'random') throw new Error('--trace-ids time|random');

const dist = (path) => import(pathToFileURL(join(DIST, path)).href);
const { sealRecord } = await dist('governance/audit/audit-chain.js');
const { createDatabase } = await dist('storage/database.factory.js');
const { migrateToLatest } = await dist('storage/database.migrator.js');
const { KyselyAuditRepository } = await dist('storage/kysely-audit.repository.js');
const { SqliteAuditAppender } = await dist('storage/sqlite-audit.appender.js');
const { timeOrderedUuid } = await dist('common/http/trace-id.js');

/** A call's trace id as the gateway mints it (at `ms`), or a random one with --trace-ids random. */
const traceId = (ms = Date.now()) => (TRACE_IDS === 'random' ? randomUUID() : timeOrderedUuid(ms));

/** This thread's CPU time in µs (the main thread's id is the process id). */
function threadCpuMicros() {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLK_TCK;
}

function sealedChain(writer, count) {
  const records = [];
  const start = Date.parse('2026-12-07T00:00:00Z');
  for (let seq = 1; seq <= count; seq++) {
    const at = new Date(start + seq).toISOString().replace('Z', '001Z');
    records.push(
      sealRecord(
        {
          seq,
          event_id: randomUUID(),
          timestamp: at,
          writer,
          tenant: 'bench',
          key_id: 'key-bench',
          event_type: 'GATEWAY_RESPONSE',
          payload: gatewayResponsePayload(traceId()),
          prev_hash: records.at(-1)?.hash ?? null,
        },
        SECRET,
      ),
    );
  }
  return records;
}

/** Rows of another writer, as many as asked, unsealed (only their keys and sizes matter). */
async function prefill(store, count) {
  const hex = () => randomBytes(32).toString('hex');
  for (let from = 1; from <= count; from += 5_000) {
    const rows = [];
    for (let seq = from; seq < Math.min(count + 1, from + 5_000); seq++) {
      rows.push({
        seq,
        event_id: randomUUID(),
        timestamp: new Date(Date.parse('2026-12-06T00:00:00Z') + seq).toISOString(),
        // Calls of the day before: their ids sort before this run's.
        writer: 'prefill',
        tenant: 'bench',
        key_id: 'key-bench',
        event_type: 'GATEWAY_RESPONSE',
        payload: gatewayResponsePayload(traceId(Date.parse('2026-12-06T00:00:00Z') + seq)),
        prev_hash: hex(),
        hash: hex(),
        hmac: hex(),
      });
    }
    await store.append(rows, []);
  }
}

async function timed(store, records) {
  const cpu0 = threadCpuMicros();
  const all0 = process.cpuUsage();
  for (let i = 0; i < records.length; i += BATCH) {
    await store.append(records.slice(i, i + BATCH), []);
  }
  const all = process.cpuUsage(all0);
  return {
    thread: (threadCpuMicros() - cpu0) / records.length,
    process: (all.user + all.system) / records.length,
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (xs) =>
  `${median(xs).toFixed(1)} (${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)})`;

const dir = mkdtempSync(join(tmpdir(), 'bench-audit-insert-'));
const path = join(dir, 'gateway.db');
const db = createDatabase({ kind: 'sqlite', path });
try {
  await migrateToLatest(db);
  const paths = {
    kysely: new KyselyAuditRepository(db),
    prepared: await SqliteAuditAppender.open(path),
  };
  await prefill(paths.prepared, PREFILL);
  // Warm-up: each path's code compiled and its statements prepared before anything is timed.
  for (const [name, store] of Object.entries(paths))
    await timed(store, sealedChain(`warm-${name}`, 1_000));
  const results = { kysely: { thread: [], process: [] }, prepared: { thread: [], process: [] } };
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? ['kysely', 'prepared'] : ['prepared', 'kysely'];
    for (const name of order) {
      const records = sealedChain(`${name}-${round}`, EVENTS);
      const { thread, process: all } = await timed(paths[name], records);
      results[name].thread.push(thread);
      results[name].process.push(all);
    }
  }
  paths.prepared.close();
  console.log(
    `audit insert, SQLite file of ${PREFILL} rows before, ${EVENTS} events a round in batches of ${BATCH}, ${TRACE_IDS} trace ids, ${ROUNDS} rounds each (µs of CPU per event, median (range))`,
  );
  for (const name of ['kysely', 'prepared']) {
    const label = name === 'kysely' ? "Kysely's multi-row insert" : 'prepared statements';
    console.log(
      `  ${label.padEnd(26)} thread ${fmt(results[name].thread)}   process ${fmt(results[name].process)}`,
    );
  }
} finally {
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
}
