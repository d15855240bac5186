// The gateway benchmark (docs/performance.md): `npm run bench` builds, then runs this.
// Targets, one at a time on the same core: the fake upstream hit directly, the bare Fastify + undici
// reference proxy, the gateway (node dist/main.js). Lanes: throughput at 50 connections, added
// latency at one connection, streaming time to first token and inter-chunk gap, RSS. See README.md.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { EXPECTED_CONTENT, STREAM_DATA_FRAMES } from './fake-upstream.mjs';
import { CHAT_BODY, CHAT_PATH, MODEL, REQUEST_HEADERS, STREAM_BODY } from './payloads.mjs';
import {
  cpuBusyPercent,
  cpuTimes,
  exitMessage,
  freePort,
  killAllNow,
  pinSelf,
  planPinning,
  processCpuSeconds,
  rssMb,
  runToResult,
  spawnNode,
  stopAll,
  stopChild,
  waitForEvent,
} from './processes.mjs';
import { printReport } from './report.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH_DIR);
const GATEWAY_ENTRY = process.env.BENCH_GATEWAY_ENTRY || join(ROOT, 'dist', 'main.js');

function num(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number`);
  return n;
}

function readConfig() {
  const quick = process.env.BENCH_QUICK === '1' || process.env.BENCH_QUICK === 'true';
  const targets = (process.env.BENCH_TARGETS ?? 'direct,reference,gateway')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  for (const t of targets) {
    if (!['direct', 'reference', 'gateway'].includes(t)) {
      throw new Error(`BENCH_TARGETS: unknown target "${t}" (direct, reference, gateway)`);
    }
  }
  const lanes = (process.env.BENCH_LANES ?? 'latency,stream,throughput')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  for (const l of lanes) {
    if (!['latency', 'stream', 'throughput'].includes(l)) {
      throw new Error(`BENCH_LANES: unknown lane "${l}" (latency, stream, throughput)`);
    }
  }
  return {
    quick,
    targets,
    connections: num('BENCH_CONNECTIONS', 50),
    warmupS: num('BENCH_WARMUP_S', quick ? 1 : 5),
    durationS: num('BENCH_DURATION_S', quick ? 3 : 20),
    latencyWarmupS: num('BENCH_LATENCY_WARMUP_S', quick ? 0.5 : 2),
    latencyS: num('BENCH_LATENCY_S', quick ? 2 : 10),
    streams: num('BENCH_STREAMS', quick ? 20 : 100),
    streamWarmup: num('BENCH_STREAM_WARMUP', quick ? 5 : 20),
    streamMaxS: num('BENCH_STREAM_MAX_S', quick ? 10 : 30),
    chunkDelayMs: num('BENCH_STREAM_CHUNK_DELAY_MS', 5),
    settleS: num('BENCH_SETTLE_S', quick ? 1 : 3),
    readyTimeoutS: num('BENCH_READY_TIMEOUT_S', 20),
    lanes,
    pin: process.env.BENCH_PIN !== '0',
  };
}

const log = (msg) => process.stderr.write(`bench: ${msg}\n`);

// ---- sanity: a lane only counts if the target answers correctly ----

async function checkTarget(name, origin) {
  const json = await request(`${origin}${CHAT_PATH}`, {
    method: 'POST',
    headers: REQUEST_HEADERS,
    body: CHAT_BODY,
  });
  const text = await json.body.text();
  let content;
  try {
    content = JSON.parse(text).choices?.[0]?.message?.content;
  } catch {
    content = undefined;
  }
  if (json.statusCode !== 200 || content !== EXPECTED_CONTENT) {
    throw new Error(
      `${name}: POST ${CHAT_PATH} answered ${json.statusCode} ${text.slice(0, 400)} ` +
        `(expected 200 with the fake upstream's completion)`,
    );
  }
  const sse = await request(`${origin}${CHAT_PATH}`, {
    method: 'POST',
    headers: REQUEST_HEADERS,
    body: STREAM_BODY,
  });
  const stream = await sse.body.text();
  const type = String(sse.headers['content-type'] ?? '');
  if (
    sse.statusCode !== 200 ||
    !type.startsWith('text/event-stream') ||
    !/data: ?\[DONE\]/.test(stream)
  ) {
    throw new Error(
      `${name}: streaming POST ${CHAT_PATH} answered ${sse.statusCode} (${type}) ${stream.slice(0, 400)}`,
    );
  }
}

// ---- the system under test ----

async function waitReady(child, origin, timeoutS) {
  const deadline = Date.now() + timeoutS * 1000;
  let died = null;
  child.exited.then((exit) => {
    died = exit;
  });
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (died) throw new Error(`gateway did not start: ${exitMessage(child, died)}`);
    try {
      const r = await request(`${origin}/health/ready`, {
        headersTimeout: 1000,
        bodyTimeout: 1000,
      });
      const body = await r.body.text();
      if (r.statusCode === 200) return;
      last = `${r.statusCode} ${body.slice(0, 200)}`;
    } catch (err) {
      last = err.code ?? err.message;
    }
    await sleep(100);
  }
  const tail = child.tail.length ? `\n  last output:\n    ${child.tail.join('\n    ')}` : '';
  throw new Error(`gateway not ready within ${timeoutS} s (GET /health/ready: ${last})${tail}`);
}

async function startGateway(ctx) {
  if (!existsSync(GATEWAY_ENTRY)) {
    throw new Error(
      `${relative(ROOT, GATEWAY_ENTRY)} is missing: build first (npm run bench builds)`,
    );
  }
  const port = await freePort();
  const env = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    GATEWAY_PROFILE: 'dev',
    LOG_LEVEL: 'silent',
    OPENAI_API_KEY: 'sk-bench-upstream',
    OPENAI_BASE_URL: `${ctx.upstreamOrigin}/v1`,
    MOCK_PROVIDER_ENABLED: 'false',
    GATEWAY_SHUTDOWN_GRACE_MS: '1000',
  };
  const child = spawnNode('gateway', [GATEWAY_ENTRY], {
    pinning: ctx.pinning,
    cpu: ctx.pinning.sutCpu,
    env,
    cwd: ROOT,
    stdin: 'ignore',
  });
  const origin = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  await waitReady(child, origin, ctx.cfg.readyTimeoutS);
  return { child, pid: child.pid, origin, startupMs: Date.now() - t0 };
}

async function startReference(ctx) {
  const child = spawnNode('reference proxy', [join(BENCH_DIR, 'reference-proxy.mjs')], {
    pinning: ctx.pinning,
    cpu: ctx.pinning.sutCpu,
    env: { ...process.env, UPSTREAM_ORIGIN: ctx.upstreamOrigin, REFERENCE_PORT: '0' },
    cwd: ROOT,
  });
  const t0 = Date.now();
  const { port } = await waitForEvent(child, 'listening', ctx.cfg.readyTimeoutS * 1000);
  return { child, pid: child.pid, origin: `http://127.0.0.1:${port}`, startupMs: Date.now() - t0 };
}

// ---- lanes ----

function runLane(ctx, spec, onEvent, onSpawn = () => {}) {
  const child = spawnNode(
    `load (${spec.lane})`,
    [join(BENCH_DIR, 'lanes.mjs'), JSON.stringify(spec)],
    {
      pinning: ctx.pinning,
      cpu: ctx.pinning.loadCpu,
      env: process.env,
      cwd: ROOT,
    },
  );
  onSpawn(child);
  return runToResult(child, onEvent);
}

/** CPU seconds of the processes on the load core that belong to the bench. */
function loadSideCpuSeconds(pids) {
  const self = process.cpuUsage();
  let total = (self.user + self.system) / 1e6;
  for (const pid of pids) total += processCpuSeconds(pid) ?? 0;
  return total;
}

/**
 * Runs one lane, sampling the target's RSS throughout, and over the measured part the CPU use of
 * the target, of its core, and of the load core (to tell the bench's own use from other processes').
 */
async function measuredLane(ctx, spec, pid, { sampleRss = false } = {}) {
  let measuring = false;
  let rssMax = null;
  const rssSamples = [];
  let driverPid = null;
  let before = null;
  let after = null;
  const snapshot = () => ({
    at: Date.now(),
    cpus: cpuTimes(),
    target: pid ? processCpuSeconds(pid) : null,
    benchOnLoadCpu: loadSideCpuSeconds([ctx.upstreamPid, driverPid].filter(Boolean)),
  });
  const sample = () => {
    if (!pid) return;
    const rss = rssMb(pid);
    if (rss === null) return;
    rssMax = Math.max(rssMax ?? 0, rss);
    if (measuring) rssSamples.push(rss);
  };
  // Only under load: the one-connection lanes stay free of anything but the requests.
  const timer = sampleRss ? setInterval(sample, 250) : null;
  let result;
  try {
    result = await runLane(
      ctx,
      spec,
      (event) => {
        if (event.event === 'measure-start') {
          measuring = true;
          before = snapshot();
        } else if (event.event === 'measure-end') {
          measuring = false;
          after = snapshot();
        }
      },
      (child) => {
        driverPid = child.pid;
      },
    );
  } finally {
    if (timer) clearInterval(timer);
  }
  const cpu = {};
  if (before && after) {
    const seconds = (after.at - before.at) / 1000;
    const share = (a, b) => (a === null || b === null ? undefined : (100 * (b - a)) / seconds);
    cpu.targetProcessPercent = share(before.target, after.target);
    cpu.benchOnLoadCpuPercent = share(before.benchOnLoadCpu, after.benchOnLoadCpu);
    if (ctx.pinning.pinned) {
      cpu.loadCpuBusyPercent = cpuBusyPercent(before.cpus, after.cpus, String(ctx.pinning.loadCpu));
      cpu.sutCpuBusyPercent = cpuBusyPercent(before.cpus, after.cpus, String(ctx.pinning.sutCpu));
      // What other processes on the machine took from each core while we measured.
      cpu.othersOnLoadCpuPercent = Math.max(0, cpu.loadCpuBusyPercent - cpu.benchOnLoadCpuPercent);
      if (cpu.targetProcessPercent !== undefined) {
        cpu.othersOnSutCpuPercent = Math.max(0, cpu.sutCpuBusyPercent - cpu.targetProcessPercent);
      }
    }
  }
  const rssUnderLoad = rssSamples.length
    ? {
        max: Math.max(...rssSamples),
        mean: rssSamples.reduce((a, b) => a + b, 0) / rssSamples.length,
      }
    : null;
  if (!sampleRss) return { ...result, cpu };
  return { ...result, cpu, rssUnderLoadMb: rssUnderLoad, rssMaxWholeLaneMb: rssMax };
}

async function measureTarget(ctx, name, origin, pid) {
  const { cfg } = ctx;
  const out = { origin };
  await checkTarget(name, origin);
  if (pid) {
    await sleep(cfg.settleS * 1000);
    out.rssIdleMb = rssMb(pid);
  }
  if (cfg.lanes.includes('latency')) {
    log(`${name}: latency at one connection (${cfg.latencyS} s)`);
    out.latency = await measuredLane(
      ctx,
      { lane: 'latency', origin, warmupS: cfg.latencyWarmupS, durationS: cfg.latencyS },
      pid,
    );
  }
  if (cfg.lanes.includes('stream')) {
    log(`${name}: streaming, ${cfg.streams} sequential streams`);
    out.stream = await measuredLane(
      ctx,
      {
        lane: 'stream',
        origin,
        count: cfg.streams,
        warmup: cfg.streamWarmup,
        maxS: cfg.streamMaxS,
        expectedFrames: STREAM_DATA_FRAMES.withUsage,
      },
      pid,
    );
  }
  if (cfg.lanes.includes('throughput')) {
    log(
      `${name}: throughput at ${cfg.connections} connections (${cfg.warmupS} s warm-up, ${cfg.durationS} s)`,
    );
    out.throughput = await measuredLane(
      ctx,
      {
        lane: 'throughput',
        origin,
        connections: cfg.connections,
        warmupS: cfg.warmupS,
        durationS: cfg.durationS,
      },
      pid,
      { sampleRss: true },
    );
  }
  if (pid) {
    await sleep(cfg.settleS * 1000);
    out.rssAfterLoadMb = rssMb(pid);
  }
  return out;
}

// ---- main ----

function machineFacts(pinning) {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    cpuModel: cpus[0]?.model ?? 'unknown',
    cpuCount: cpus.length,
    availableParallelism: os.availableParallelism?.() ?? cpus.length,
    totalMemMb: Math.round(os.totalmem() / 2 ** 20),
    loadAverage: os.loadavg(),
    pinned: pinning.pinned,
    pinning: pinning.pinned
      ? {
          loadAndUpstreamCpu: pinning.loadCpu,
          systemUnderTestCpu: pinning.sutCpu,
          allowedCpus: pinning.allowedCpus,
        }
      : { reason: pinning.reason },
  };
}

async function main() {
  const cfg = readConfig();
  const pinning = planPinning({ wanted: cfg.pin });
  const machine = machineFacts(pinning);
  if (pinning.pinned) pinSelf(pinning, pinning.loadCpu);
  else log(`not pinned: ${pinning.reason}`);
  const startedAt = new Date();
  const ctx = { cfg, pinning };
  // How busy the machine is before we start: other work on these cores skews every figure.
  const idleBefore = cpuTimes();
  await sleep(1000);
  const idleAfter = cpuTimes();
  const busyBeforeRun = Object.fromEntries(
    Object.keys(idleAfter).map((cpu) => [cpu, cpuBusyPercent(idleBefore, idleAfter, cpu)]),
  );

  const upstream = spawnNode('fake upstream', [join(BENCH_DIR, 'fake-upstream.mjs')], {
    pinning,
    cpu: pinning.loadCpu,
    env: {
      ...process.env,
      FAKE_UPSTREAM_PORT: '0',
      FAKE_UPSTREAM_CHUNK_DELAY_MS: String(cfg.chunkDelayMs),
    },
    cwd: ROOT,
  });
  const { port: upstreamPort } = await waitForEvent(upstream, 'listening', 10_000);
  ctx.upstreamOrigin = `http://127.0.0.1:${upstreamPort}`;
  ctx.upstreamPid = upstream.pid;

  const results = {};
  for (const target of cfg.targets) {
    if (target === 'direct') {
      log('direct upstream');
      results.direct = await measureTarget(ctx, 'direct upstream', ctx.upstreamOrigin, null);
      continue;
    }
    log(`starting the ${target === 'gateway' ? 'gateway' : 'reference proxy'}`);
    const sut = target === 'gateway' ? await startGateway(ctx) : await startReference(ctx);
    try {
      results[target] = {
        startupMs: sut.startupMs,
        ...(await measureTarget(
          ctx,
          target === 'gateway' ? 'gateway' : 'reference proxy',
          sut.origin,
          sut.pid,
        )),
      };
    } finally {
      await stopChild(sut.child);
    }
  }
  await stopChild(upstream);

  const report = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: { ...machine, busyBeforeRunPercent: busyBeforeRun },
    config: { ...cfg, model: MODEL, streamDataFramesExpected: STREAM_DATA_FRAMES.withUsage },
    results,
    governed: 'n/a (governance not built yet)',
  };
  printReport(report);
  const dir = join(BENCH_DIR, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(
    dir,
    `${startedAt.toISOString().replace(/[:.]/g, '-')}${cfg.quick ? '-quick' : ''}.json`,
  );
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nraw figures: ${relative(process.cwd(), file)}`);
}

let exiting = false;
async function shutdown(code, message) {
  if (exiting) return;
  exiting = true;
  if (message) log(message);
  await stopAll(1500);
  process.exit(code);
}

process.on('exit', killAllNow);
process.on('SIGINT', () => void shutdown(130, 'interrupted: stopping child processes'));
process.on('SIGTERM', () => void shutdown(143, 'terminated: stopping child processes'));
process.on('SIGHUP', () => void shutdown(129, 'hang-up: stopping child processes'));
process.on('unhandledRejection', (err) => void shutdown(1, `failed: ${err?.message ?? err}`));

main().then(
  () => shutdown(0),
  (err) => shutdown(1, `failed: ${err?.message ?? err}`),
);
