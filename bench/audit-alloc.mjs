// What the audit worker's own code allocates per event, by function (issue 12): the worker's
// sealing and SQLite appends (AuditChainWriter over SqliteAuditAppender, from dist/) run on this
// thread, fed a governed-lane GATEWAY_RESPONSE event in batches of 20 every 11 ms (about 1,800 a second), under
// V8's sampling heap profiler with the objects minor and major GCs collected kept in the sample:
// bytes allocated, garbage included, which is what drives the worker's scavenges. (The structured
// clone of the events' message is not included: that happens on the worker's port.)
//
//   node bench/audit-alloc.mjs [--events 10000]   (build first: npx nest build)
import { Session } from 'node:inspector/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { gatewayResponsePayload } from './audit-events.mjs';
const d = (p) => import(new URL(`../dist/${p}`, import.meta.url).href);
const { createDatabase } = await d('storage/database.factory.js');
const { migrateToLatest } = await d('storage/database.migrator.js');
const { SqliteAuditAppender } = await d('storage/sqlite-audit.appender.js');
const { AuditChainWriter, epochMicros } = await d('governance/audit/audit.writer.js');
const dir = mkdtempSync(join(tmpdir(), 'audit-alloc-'));
const target = { kind: 'sqlite', path: join(dir, 'a.db') };
const db = createDatabase(target, () => {});
await migrateToLatest(db, target);
await db.destroy();
const appender = await SqliteAuditAppender.open(target.path);
const settings = {
  writer: 'w1',
  secret: '0123456789abcdef0123456789abcdef0123',
  batchSize: 500,
  flushIntervalMs: 10,
  checkpointIntervalMs: 60000,
  maxQueue: 100000,
  captureContent: false,
};
const writer = new AuditChainWriter(
  settings,
  appender,
  { error: console.error },
  undefined,
  () => {},
);
await writer.start();
// Fresh objects from JSON.parse, as the worker's message delivers them.
const payload = () => JSON.parse(JSON.stringify(gatewayResponsePayload(randomUUID())));
const events = Array.from({ length: 20 }, () => ({
  eventType: 'GATEWAY_RESPONSE',
  tenant: 'acme',
  keyId: 'key_1',
  payload: payload(),
}));
async function run(n) {
  for (let i = 0; i < n; i += 20) {
    for (const e of events) writer.record(e, epochMicros());
    await new Promise((r) => setTimeout(r, 11));
  }
  await writer.flush();
}
await run(4000);
const s = new Session();
s.connect();
await s.post('HeapProfiler.startSampling', {
  samplingInterval: 256,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
});
const i = process.argv.indexOf('--events');
const N = i === -1 ? 10_000 : Number(process.argv[i + 1]);
await run(N);
const { profile } = await s.post('HeapProfiler.stopSampling');
const self = new Map();
let total = 0;
(function walk(node, stack) {
  const f = node.callFrame;
  const name = `${f.functionName || '(anon)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`;
  const here = node.selfSize;
  total += here;
  if (here) self.set(name, (self.get(name) ?? 0) + here);
  for (const c of node.children) walk(c, [...stack, name]);
})(profile.head, []);
console.log(`sampled allocation: ${(total / N).toFixed(0)} bytes per event`);
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 20))
  console.log((v / N).toFixed(0).padStart(7), k);
appender.close();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
