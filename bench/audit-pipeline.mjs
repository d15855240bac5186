// The audit trail's whole cost per event, in process: the gateway thread's `record` (an array
// push, one message per 10 ms), the worker thread's sealing (RFC 8785, SHA-256, HMAC) and its
// SQLite commits, with the real worker (the built dist/governance/audit/audit-writer.worker.js)
// on a SQLite file migrated as the gateway migrates it.
//
//   node bench/audit-pipeline.mjs [--rate N] [--seconds S] [--rounds N] [--seal-only]  (build first)
//
// Events arrive at `rate` a second (default 2,000: the governed lane's rate on one core), a
// batch of them every millisecond-ish tick, for `seconds` a round; then the writer is flushed.
// A round without the audit trail (the same ticks, no `record`) is the baseline. CPU is read per
// thread from /proc/self/task/*/stat (user + system): the main thread (the gateway's side), the
// other threads (the worker, and V8's and libuv's helpers), and all; each round's figure is the
// audited round minus the baseline round that preceded it, in µs per event. Median (range) of the
// rounds. Other load on the machine lengthens a round but adds nothing to its threads' CPU.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gatewayResponsePayload } from './audit-events.mjs';

const DIST = join(dirname(dirname(fileURLToPath(import.meta.url))), 'dist');
const SECRET = 'bench-audit-pipeline-secret-0123456789abcdef';
const CLK_TCK = 100;

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const RATE = arg('rate', 2_000);
const SECONDS = arg('seconds', 5);
const ROUNDS = arg('rounds', 4);

const dist = (path) => import(pathToFileURL(join(DIST, path)).href);
const { createDatabase } = await dist('storage/database.factory.js');
const { migrateToLatest } = await dist('storage/database.migrator.js');
const { KyselyAuditRepository } = await dist('storage/kysely-audit.repository.js');
const { AuditWorkerClient } = await dist('governance/audit/audit-worker.client.js');
// Trace ids as the gateway mints them (time-ordered): where each row lands in the trace_id index.
const { timeOrderedUuid } = await dist('common/http/trace-id.js');

/** CPU µs of each of this process's threads, by thread id. */
function threadCpu() {
  const out = new Map();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(tid, ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLK_TCK);
    } catch {
      // a thread that ended between the listing and the read
    }
  }
  return out;
}

function cpuSince(before) {
  const after = threadCpu();
  let main = 0;
  let others = 0;
  for (const [tid, micros] of after) {
    const spent = micros - (before.get(tid) ?? 0);
    if (tid === String(process.pid)) main += spent;
    else others += spent;
  }
  return { main, others, all: main + others };
}

/** Ticks of events at RATE a second for SECONDS; `record` undefined: the ticks alone. */
async function drive(record) {
  const total = Math.round(RATE * SECONDS);
  const started = performance.now();
  let sent = 0;
  while (sent < total) {
    await new Promise((done) => setImmediate(done));
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * RATE));
    for (; sent < due; sent++) {
      const event = {
        eventType: 'GATEWAY_RESPONSE',
        tenant: 'bench',
        keyId: 'key-bench',
        payload: gatewayResponsePayload(timeOrderedUuid()),
      };
      record?.(event);
    }
    if (sent < due) continue;
    await new Promise((done) => setTimeout(done, 1));
  }
  return total;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (xs) =>
  `${median(xs).toFixed(1)} (${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)})`;

const dir = mkdtempSync(join(tmpdir(), 'bench-audit-pipeline-'));
const path = join(dir, 'gateway.db');
const target = { kind: 'sqlite', path };
const db = createDatabase(target);
const settings = {
  enabled: true,
  writer: 'bench-pipeline',
  secret: SECRET,
  checkpointEvery: 1_000,
  checkpointIntervalMs: 10_000,
  flushIntervalMs: 50,
  batchSize: 500,
  maxQueue: 100_000,
  captureContent: false,
  warnings: [],
};
const client = new AuditWorkerClient(settings, new KyselyAuditRepository(db), target);
try {
  await migrateToLatest(db);
  await client.start();
  // Warm-up: the worker's code compiled, the statements prepared, the file grown.
  await drive((e) => client.record(e));
  await client.flush();
  const per = { main: [], others: [], all: [] };
  for (let round = 0; round < ROUNDS; round++) {
    let before = threadCpu();
    const events = await drive(undefined);
    const idle = cpuSince(before);
    before = threadCpu();
    await drive((e) => client.record(e));
    await client.flush();
    const busy = cpuSince(before);
    for (const k of Object.keys(per)) per[k].push((busy[k] - idle[k]) / events);
  }
  console.log(
    `audit pipeline, SQLite file, ${RATE} events/s for ${SECONDS} s a round, ${ROUNDS} rounds (µs of CPU per event over the same ticks without audit, median (range))`,
  );
  console.log(`  gateway thread ${fmt(per.main)}`);
  console.log(`  other threads  ${fmt(per.others)}`);
  console.log(`  all threads    ${fmt(per.all)}`);
  console.log(`  writer: ${JSON.stringify(client.snapshot())}`);
} finally {
  await client.stop();
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
}
