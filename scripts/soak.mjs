#!/usr/bin/env node
// A mixed-load soak of one real gateway process (issue 18): chat (JSON and streams), embeddings
// and refusals (a wrong key, a bad body, an unknown model) through every governance stage at its
// default, with a key, a rate limit, a budget and the audit trail on SQLite. It samples the
// process's RSS and event-loop delay while it runs, then checks that both stayed flat and that
// every counter agrees with the calls made: gateway_requests_total, the GATEWAY_RESPONSE audit
// events, the usage records. Exits 1 and says why when anything does not hold.
//
//   npm run build && node scripts/soak.mjs            # 10 minutes
//   SOAK_SECONDS=60 node scripts/soak.mjs             # what CI runs
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 8);
const SAMPLE_MS = Math.max(1_000, Math.min(10_000, (SECONDS * 1_000) / 30));
const ADMIN = 'soak-admin-token-0123456789abcdef';
const SECRET = 'soak-audit-secret-0123456789abcdef-0123';
const ENTRY = resolve('dist/main.js');

// How much RSS's floor may rise from the second quarter to the last (the allocator and V8's heap
// settle in steps, a leak grows without end), and how much the event-loop delay may drift.
const MAX_RSS_GROWTH_MB = 40;
const MAX_LOOP_DRIFT_MS = 20;

if (!existsSync(ENTRY)) {
  console.error(`${ENTRY} does not exist: run \`npm run build\` first.`);
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'gateway-soak-'));
const db = join(dir, 'gateway.db');
const extra = join(dir, 'soak.yml');
writeFileSync(
  extra,
  `gateway:
  auth: { required: true }
  rate-limits:
    per-key: { requests-per-minute: 10000000, tokens-per-minute: 1000000000 }
  metering: { flush-interval-ms: 200 }
  providers:
    mock: { latency-ms: 2, stream-token-delay-ms: 1 }
`,
);

const child = spawn(process.execPath, [ENTRY], {
  env: {
    PATH: process.env.PATH ?? '',
    GATEWAY_PROFILE: 'ci',
    LOG_LEVEL: 'info',
    PORT: '0',
    HOST: '127.0.0.1',
    GATEWAY_DATABASE_URL: `file:${db}`,
    GATEWAY_ADMIN_TOKEN: ADMIN,
    GATEWAY_AUDIT_HMAC_SECRET: SECRET,
    GATEWAY_CONFIG_ADDITIONAL_LOCATION: extra,
  },
  stdio: ['ignore', 'pipe', 'pipe'],
});
let url;
let key;
const failures = [];
const listening = new Promise((done, fail) => {
  const scan = (chunk) => {
    const match = /Gateway listening on (http:\/\/[^\s"]+)/.exec(chunk.toString('utf8'));
    if (match) done(match[1].replace('[::1]', '127.0.0.1'));
  };
  child.stdout.on('data', scan);
  child.stderr.on('data', scan);
  child.stderr.on('data', (chunk) => process.stderr.write(chunk));
  child.once('exit', (code) => fail(new Error(`the gateway exited at start-up (${code})`)));
});

async function admin(method, path, body) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  if (res.status >= 300)
    throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function setUp() {
  await admin('POST', '/v1/admin/tenants', { id: 'soak', name: 'Soak' });
  key = (await admin('POST', '/v1/admin/tenants/soak/keys', { name: 'soak' })).key;
  await admin('POST', '/v1/admin/budgets', { tenant: 'soak', period: 'day', limit_usd: 1000000 });
}

/** One call of the mix; resolves to what it was expected to be and what it was. */
const MIX = [
  ['chat', 10],
  ['stream', 5],
  ['embeddings', 2],
  ['wrong-key', 1],
  ['bad-body', 1],
  ['unknown-model', 1],
];
const WHEEL = MIX.flatMap(([kind, weight]) => Array(weight).fill(kind));
const EXPECTED = {
  chat: '200',
  stream: '200',
  embeddings: '200',
  'wrong-key': '401 invalid_api_key',
  'bad-body': '400 validation_error',
  'unknown-model': '400 no_provider',
};

async function one(kind, i) {
  const auth = kind === 'wrong-key' ? `${key.slice(0, -2)}zz` : key;
  const path = kind === 'embeddings' ? '/v1/embeddings' : '/v1/chat/completions';
  const text = `soak call ${i}: tell me about the weather in Paris, and mail jane@example.com`;
  const body =
    kind === 'embeddings'
      ? { model: 'mock/embed', input: [text, 'second input'] }
      : kind === 'bad-body'
        ? { model: 'mock/echo', messages: [{ role: 'user', content: text }], temperature: 9 }
        : {
            model: kind === 'unknown-model' ? 'no-such-model-anywhere' : 'mock/echo',
            stream: kind === 'stream',
            messages: [{ role: 'user', content: text }],
          };
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = await res.text();
  if (res.status === 200) {
    if (kind === 'stream' && !answer.trimEnd().endsWith('data: [DONE]')) return 'stream unended';
    return '200';
  }
  try {
    return `${res.status} ${JSON.parse(answer).error.code}`;
  } catch {
    return `${res.status} (not the error envelope)`;
  }
}

async function load() {
  const deadline = Date.now() + SECONDS * 1_000;
  const seen = new Map();
  const samples = [];
  let n = 0;
  const sampler = (async () => {
    while (Date.now() < deadline) {
      await sleep(SAMPLE_MS);
      samples.push({ rssMb: rss(), loopP99Ms: await loopP99() });
    }
  })();
  const worker = async () => {
    while (Date.now() < deadline) {
      const i = n++;
      const kind = WHEEL[i % WHEEL.length];
      const got = await one(kind, i);
      if (got !== EXPECTED[kind]) failures.push(`${kind} call ${i} answered ${got}`);
      seen.set(got, (seen.get(got) ?? 0) + 1);
      if (failures.length > 20) throw new Error('too many unexpected answers');
    }
  };
  await Promise.all([...Array.from({ length: CONCURRENCY }, worker), sampler]);
  report(samples, seen);
  return { total: n, answered: seen.get('200') ?? 0, samples };
}

function rss() {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024);
}

async function metrics() {
  return (await fetch(`${url}/metrics`)).text();
}

/** prom-client resets its event-loop histogram at each scrape: p99 of the last interval. */
async function loopP99() {
  const text = await metrics();
  const value = /^nodejs_eventloop_lag_p99_seconds (\S+)/m.exec(text)?.[1];
  return value === undefined ? Number.NaN : Math.round(Number(value) * 1_000 * 10) / 10;
}

function report(samples, seen) {
  console.log(`soak: ${SECONDS} s, ${CONCURRENCY} connections`);
  console.log(`answers: ${JSON.stringify(Object.fromEntries(seen))}`);
  console.log(`RSS MB: ${samples.map((s) => s.rssMb).join(' ')}`);
  console.log(`event-loop p99 ms: ${samples.map((s) => s.loopP99Ms).join(' ')}`);
}

async function check({ total, answered, samples }) {
  if (samples.length >= 4) {
    // Flat is judged on what a leak or a slowdown moves, not on one spike: RSS's floor (what is
    // left after the collector ran; a heap may climb hundreds of MB between major collections)
    // and the typical event-loop delay, second quarter against the last.
    const quarter = Math.max(1, Math.floor(samples.length / 4));
    const early = samples.slice(quarter, 2 * quarter);
    const late = samples.slice(-quarter);
    const floor = (list) => Math.min(...list.map((x) => x.rssMb));
    const median = (list) => {
      const sorted = list.map((x) => x.loopP99Ms).sort((x, y) => x - y);
      return sorted[Math.floor(sorted.length / 2)];
    };
    const growth = floor(late) - floor(early);
    if (growth > MAX_RSS_GROWTH_MB) {
      failures.push(`RSS's floor rose ${growth} MB from the second quarter to the last`);
    }
    const [before, after] = [median(early), median(late)];
    if (!(after <= before * 3 + MAX_LOOP_DRIFT_MS)) {
      failures.push(`the event-loop delay (p99, median) went from ${before} ms to ${after} ms`);
    }
    console.log(`RSS floor +${growth} MB; event-loop p99 median ${before} -> ${after} ms`);
  }
  // Let the last calls settle and the queues drain, then compare every counter with the calls.
  await sleep(1_500);
  const counted = [...(await metrics()).matchAll(/^gateway_requests_total\{[^}]*\} (\S+)/gm)]
    .map((m) => Number(m[1]))
    .reduce((a, b) => a + b, 0);
  if (counted !== total) failures.push(`gateway_requests_total is ${counted}, ${total} calls made`);
  const store = new Database(db, { readonly: true, fileMustExist: true });
  try {
    for (let i = 0; i < 20; i++) {
      const events = store
        .prepare(`select count(*) as n from audit_events where event_type = 'GATEWAY_RESPONSE'`)
        .get().n;
      const usage = store
        .prepare('select count(*) as n from usage_records where status = 200')
        .get().n;
      if (events === total && usage === answered) {
        console.log(`counters agree: ${total} calls, ${answered} answered`);
        return;
      }
      if (i === 19) {
        failures.push(
          `${events} GATEWAY_RESPONSE events for ${total} calls, ${usage} usage records for ${answered} answers`,
        );
      }
      await sleep(500);
    }
  } finally {
    store.close();
  }
}

try {
  url = await Promise.race([
    listening,
    sleep(30_000).then(() => {
      throw new Error('the gateway did not start in 30 s');
    }),
  ]);
  await setUp();
  const made = await load();
  await check(made);
} catch (error) {
  failures.push(error instanceof Error ? error.message : String(error));
} finally {
  const code =
    child.exitCode ??
    (await new Promise((done) => {
      child.once('exit', done);
      child.kill('SIGTERM');
    }));
  if (code !== 0 && failures.length === 0)
    failures.push(`the gateway exited with ${code} on SIGTERM`);
  rmSync(dir, { recursive: true, force: true });
}
if (failures.length > 0) {
  console.error(`soak FAILED:\n- ${failures.join('\n- ')}`);
  process.exit(1);
}
console.log('soak passed');
