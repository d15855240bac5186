// The gateway benchmark (docs/performance.md): `npm run bench` builds, then runs this.
// Targets, one at a time on the same core: the fake upstream hit directly, the bare Fastify + undici
// reference proxy, the gateway (node dist/main.js) called without a key, the gateway called with
// an API key its bootstrap file imported, and the governed gateway (that key plus 20 policy rules
// in force). Lanes: throughput at 50 connections, added latency at one connection, streaming time
// to first token and inter-chunk gap, RSS, the paired keyless / keyed rounds that give the cost of
// authentication, and the policy stage's cost per call (policy-stage.mjs). See README.md.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { STREAM_DATA_FRAMES } from './fake-upstream.mjs';
import { bearerHeaders, KEYLESS_HEADERS, MODEL, REQUEST_HEADERS } from './payloads.mjs';
import {
  cpuBusyPercent,
  cpuTimes,
  exitMessage,
  killAllNow,
  pinSelf,
  planPinning,
  mainThreadCpuSeconds,
  processCpuSeconds,
  rssMb,
  runToResult,
  spawnNode,
  stopAll,
  stopChild,
} from './processes.mjs';
import { piiScanLines } from './pii-scan.mjs';
import { policyStageLines } from './policy-stage.mjs';
import { auditCost } from './audit-report.mjs';
import { cpuPerRequest } from './cpu-per-request.mjs';
import { authCost, governedCost, printReport } from './report.mjs';
import { measureRss } from './rss.mjs';
import {
  checkMetrics,
  checkTracingExports,
  observabilityCost,
  startOtlpSink,
} from './observability.mjs';
import {
  auditFigures,
  checkKeyIsVerified,
  createBenchPostgres,
  checkPoliciesEnforced,
  checkRateLimitsApplied,
  checkTarget,
  removeAllTempDirs,
  removeTempDir,
  startGateway,
  startReference,
  startUpstream,
} from './targets.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH_DIR);

function num(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number`);
  return n;
}

const TARGETS = [
  'direct',
  'reference',
  'gateway',
  'gateway-auth',
  'gateway-governed',
  'gateway-governed-noaudit',
  'gateway-governed-nopii',
  'gateway-governed-redact',
  'gateway-governed-pg',
  'gateway-governed-nometrics',
  'gateway-governed-tracing',
  'gateway-governed-rss',
];
/** The governed gateway and its audit variants (issue 12): audit on SQLite, off, on PostgreSQL. */
const GOVERNED = new Set([
  'gateway-governed',
  'gateway-governed-noaudit',
  'gateway-governed-nopii',
  'gateway-governed-redact',
  'gateway-governed-pg',
  'gateway-governed-nometrics',
  'gateway-governed-tracing',
]);
const LANES = ['latency', 'stream', 'throughput', 'paired', 'policy'];
const TARGET_LABELS = {
  direct: 'direct upstream',
  reference: 'reference proxy',
  gateway: 'gateway',
  'gateway-auth': 'gateway (API key)',
  'gateway-governed': 'gateway (governed)',
  'gateway-governed-noaudit': 'gateway (governed, audit off)',
  'gateway-governed-nopii': 'gateway (governed, PII off)',
  'gateway-governed-redact': 'gateway (governed, PII REDACT)',
  'gateway-governed-pg': 'gateway (governed, audit on PostgreSQL)',
  'gateway-governed-nometrics': 'gateway (governed, metrics off)',
  'gateway-governed-tracing': 'gateway (governed, tracing on)',
  'gateway-governed-rss': 'gateway (governed, RSS)',
};

function list(name, fallback, allowed) {
  const items = (process.env[name] ?? fallback)
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  for (const item of items) {
    if (!allowed.includes(item)) {
      throw new Error(`${name}: unknown value "${item}" (${allowed.join(', ')})`);
    }
  }
  return items;
}

function readConfig() {
  const quick = process.env.BENCH_QUICK === '1' || process.env.BENCH_QUICK === 'true';
  // PostgreSQL only when a server is named (a maintenance database URL; a fresh database is made).
  const postgresUrl = process.env.BENCH_POSTGRES_URL ?? '';
  const defaults = TARGETS.filter((t) => t !== 'gateway-governed-pg' || postgresUrl !== '');
  const targets = list('BENCH_TARGETS', defaults.join(','), TARGETS);
  if (targets.includes('gateway-governed-pg') && postgresUrl === '') {
    throw new Error('BENCH_TARGETS names gateway-governed-pg: set BENCH_POSTGRES_URL');
  }
  const lanes = list('BENCH_LANES', LANES.join(','), LANES);
  return {
    quick,
    targets,
    postgresUrl,
    connections: num('BENCH_CONNECTIONS', 50),
    warmupS: num('BENCH_WARMUP_S', quick ? 1 : 5),
    durationS: num('BENCH_DURATION_S', quick ? 3 : 20),
    latencyWarmupS: num('BENCH_LATENCY_WARMUP_S', quick ? 0.5 : 5),
    latencyS: num('BENCH_LATENCY_S', quick ? 2 : 10),
    streams: num('BENCH_STREAMS', quick ? 20 : 100),
    streamWarmup: num('BENCH_STREAM_WARMUP', quick ? 5 : 20),
    streamMaxS: num('BENCH_STREAM_MAX_S', quick ? 10 : 30),
    chunkDelayMs: num('BENCH_STREAM_CHUNK_DELAY_MS', 5),
    settleS: num('BENCH_SETTLE_S', quick ? 1 : 3),
    // The default gateway's RSS once idle this long: V8's memory reducer gives back the young
    // generation only after the allocation rate of its last ten GCs falls low (25-70 s after
    // start-up here), so the 3 s reading is start-up's high-water mark, not the idle state.
    idleSettleS: num('BENCH_IDLE_SETTLE_S', quick ? 0 : 75),
    readyTimeoutS: num('BENCH_READY_TIMEOUT_S', 20),
    // gateway-governed-rss: streams opened at once, the upstream's gap between their chunks, then
    // the soak's length, JSON connections and streams kept open.
    rssStreams: num('BENCH_RSS_STREAMS', 1000),
    rssChunkDelayMs: num('BENCH_RSS_CHUNK_DELAY_MS', 1000),
    soakS: num('BENCH_SOAK_S', quick ? 15 : 60),
    soakConnections: num('BENCH_SOAK_CONNECTIONS', 20),
    soakStreams: num('BENCH_SOAK_STREAMS', 50),
    pairedRounds: num('BENCH_PAIRED_ROUNDS', quick ? 2 : 4),
    pairedRoundS: num('BENCH_PAIRED_ROUND_S', quick ? 2 : 5),
    // keyless: the paired lane's baseline sends no key (the requirement's comparison); padded: it
    // sends an ignored header as long as the Authorization one, so the difference is the
    // verification alone, without the cost of the extra bytes.
    pairedBaseline: list('BENCH_PAIRED_BASELINE', 'keyless', ['keyless', 'padded'])[0],
    gatewayNodeFlags: process.env.BENCH_GATEWAY_NODE_FLAGS ?? '',
    lanes,
    pin: process.env.BENCH_PIN !== '0',
  };
}

const log = (msg) => process.stderr.write(`bench: ${msg}\n`);

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
    targetMainThread: pid ? mainThreadCpuSeconds(pid) : null,
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
    cpu.targetMainThreadPercent = share(before.targetMainThread, after.targetMainThread);
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

/**
 * Checks the target, then runs the lanes. `headers` are what every lane sends; `paired`, for the
 * authenticated gateway, gives the two header sets of the paired lane ({ A: keyless, B: keyed });
 * `governed`, for the governed gateway, is { sut, apiKey }: its key and policies are checked.
 */
async function measureTarget(ctx, name, origin, pid, { headers, paired, governed } = {}) {
  const { cfg } = ctx;
  const out = { origin };
  await checkTarget(name, origin, headers);
  if (paired) {
    await checkTarget(`${name}, keyless`, origin, paired.A);
    await checkKeyIsVerified(name, origin);
  }
  if (governed) {
    await checkKeyIsVerified(name, origin);
    out.policyChecks = await checkPoliciesEnforced(name, governed.sut, governed.apiKey);
    const { probe, adminApi } = out.policyChecks;
    log(`${name}: policies in force: ${probe}; none skipped at start-up; admin API: ${adminApi}`);
    out.rateLimitChecks = await checkRateLimitsApplied(name, origin, governed.apiKey);
    log(`${name}: rate limits on, counted in ${out.rateLimitChecks.counters}`);
    out.metrics = await checkMetrics(name, origin, governed.metrics !== false);
    if (governed.otlpSink) {
      const seen = await checkTracingExports(name, governed.otlpSink);
      log(`${name}: metrics ${out.metrics}; tracing on, ${seen.exports} OTLP export(s) received`);
    } else {
      log(`${name}: metrics ${out.metrics}`);
    }
  }
  if (pid) {
    await sleep(cfg.settleS * 1000);
    out.rssIdleMb = rssMb(pid);
    if (name === 'gateway' && cfg.idleSettleS > cfg.settleS) {
      log(`${name}: idle for ${cfg.idleSettleS} s (RSS once V8 has shrunk the heap)`);
      await sleep((cfg.idleSettleS - cfg.settleS) * 1000);
      out.rssIdleSettledMb = rssMb(pid);
      out.idleSettleS = cfg.idleSettleS;
    }
  }
  if (cfg.lanes.includes('latency')) {
    log(`${name}: latency at one connection (${cfg.latencyS} s)`);
    out.latency = await measuredLane(
      ctx,
      { lane: 'latency', origin, headers, warmupS: cfg.latencyWarmupS, durationS: cfg.latencyS },
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
        headers,
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
        headers,
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
  // After the RSS readings, so that they compare with the keyless gateway's.
  if (paired && cfg.lanes.includes('paired') && cfg.pairedRounds > 0) {
    log(
      `${name}: paired rounds, keyless vs keyed, ${cfg.pairedRounds} x 2 x ${cfg.pairedRoundS} s at ${cfg.connections} connections`,
    );
    out.paired = {
      baseline: cfg.pairedBaseline,
      ...(await measuredLane(
        ctx,
        {
          lane: 'paired',
          origin,
          headersA: paired.A,
          headersB: paired.B,
          connections: cfg.connections,
          warmupS: Math.min(cfg.warmupS, 2),
          roundS: cfg.pairedRoundS,
          rounds: cfg.pairedRounds,
        },
        pid,
      )),
    };
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

  const {
    child: upstream,
    pid: upstreamPid,
    origin: upstreamOrigin,
  } = await startUpstream(ctx, {
    chunkDelayMs: cfg.chunkDelayMs,
  });
  ctx.upstreamOrigin = upstreamOrigin;
  ctx.upstreamPid = upstreamPid;

  // The authenticated target's key: a fresh one each run, given to the gateway by environment.
  const apiKey = `gw_${randomBytes(20).toString('hex')}`;
  const results = {};
  for (const target of cfg.targets) {
    const name = TARGET_LABELS[target];
    if (target === 'gateway-governed-rss') {
      results[target] = await measureRss(
        { ...ctx, benchDir: BENCH_DIR, root: ROOT },
        { apiKey, log },
      );
      continue;
    }
    if (target === 'direct') {
      log(name);
      results.direct = await measureTarget(ctx, name, ctx.upstreamOrigin, null, {
        headers: REQUEST_HEADERS,
      });
      continue;
    }
    log(`starting the ${name}`);
    let sut;
    let options;
    if (target === 'reference') {
      sut = await startReference(ctx);
      options = { headers: REQUEST_HEADERS };
    } else if (target === 'gateway') {
      sut = await startGateway(ctx);
      options = { headers: KEYLESS_HEADERS };
    } else if (GOVERNED.has(target)) {
      const database =
        target === 'gateway-governed-pg' ? await createBenchPostgres(cfg.postgresUrl) : undefined;
      // Tracing on: OTLP/HTTP to a loopback sink that answers 200 without decoding.
      const otlpSink = target === 'gateway-governed-tracing' ? await startOtlpSink() : undefined;
      const metrics = target !== 'gateway-governed-nometrics';
      sut = await startGateway(ctx, {
        label: name,
        metrics,
        otlpEndpoint: otlpSink?.origin,
        apiKey,
        governed: true,
        audit: target !== 'gateway-governed-noaudit',
        // The governed lane runs PII at its default, LOG; these two compare it with off and REDACT.
        pii:
          target === 'gateway-governed-nopii'
            ? 'off'
            : target === 'gateway-governed-redact'
              ? 'REDACT'
              : 'LOG',
        databaseUrl: database?.url,
      });
      sut.dropDatabase = database?.drop;
      sut.otlpSink = otlpSink;
      options = { headers: bearerHeaders(apiKey), governed: { sut, apiKey, metrics, otlpSink } };
    } else {
      sut = await startGateway(ctx, { apiKey });
      const keyed = bearerHeaders(apiKey);
      const baseline =
        cfg.pairedBaseline === 'padded'
          ? { ...KEYLESS_HEADERS, 'x-bench-pad': keyed.authorization.replace(/./g, 'x') }
          : KEYLESS_HEADERS;
      options = { headers: keyed, paired: { A: baseline, B: keyed } };
    }
    try {
      results[target] = {
        startupMs: sut.startupMs,
        ...(await measureTarget(ctx, name, sut.origin, sut.pid, options)),
      };
      if (GOVERNED.has(target)) results[target].audit = await auditFigures(sut.origin);
      if (sut.otlpSink) results[target].otlpSink = { ...sut.otlpSink.stats };
    } catch (err) {
      // A failed lane often means the target died: say so, with its last output.
      const { exitCode: code, signalCode: signal } = sut.child;
      if (code !== null || signal !== null) {
        err.message += `\n  and the target: ${exitMessage(sut.child, { code, signal })}`;
      } else if (sut.child.tail.length) {
        err.message += `\n  the target (still running) last said:\n    ${sut.child.tail.join('\n    ')}`;
      }
      throw err;
    } finally {
      await stopChild(sut.child);
      if (sut.dir) removeTempDir(sut.dir);
      await sut.dropDatabase?.();
      await sut.otlpSink?.close();
    }
  }
  await stopChild(upstream);

  // The policy stage alone, in a process of its own on the system-under-test core (now idle).
  let policyStage;
  if (cfg.targets.includes('gateway-governed') && cfg.lanes.includes('policy')) {
    log('policy stage: 20 rules, micro-benchmark');
    policyStage = await runToResult(
      spawnNode(
        'policy stage',
        [join(BENCH_DIR, 'policy-stage.mjs'), '--json', ...(cfg.quick ? ['--quick'] : [])],
        { pinning, cpu: pinning.sutCpu, env: process.env, cwd: ROOT },
      ),
    );
    log(policyStageLines(policyStage).at(-1).trim());
  }

  // The PII scan alone, per KB of text and on hostile inputs, likewise.
  let piiScan;
  if (cfg.targets.includes('gateway-governed') && cfg.lanes.includes('policy')) {
    log('PII scan: every detector, micro-benchmark');
    piiScan = await runToResult(
      spawnNode(
        'PII scan',
        [join(BENCH_DIR, 'pii-scan.mjs'), '--json', ...(cfg.quick ? ['--quick'] : [])],
        { pinning, cpu: pinning.sutCpu, env: process.env, cwd: ROOT },
      ),
    );
    for (const line of piiScanLines(piiScan)) log(line.trim());
  }

  const report = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: { ...machine, busyBeforeRunPercent: busyBeforeRun },
    config: { ...cfg, model: MODEL, streamDataFramesExpected: STREAM_DATA_FRAMES.withUsage },
    results,
    authCost: authCost(results),
    governed: governedCost(results),
    auditCost: auditCost(results),
    observabilityCost: observabilityCost(results),
    cpuPerRequest: cpuPerRequest(results),
    policyStage: policyStage ?? null,
    piiScan: piiScan ?? null,
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
  removeAllTempDirs();
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
