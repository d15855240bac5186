// Paired rounds: two variants of the governed gateway, both started and pinned as the bench pins
// them (both on the target's CPU, loaded one at a time), measured in alternating rounds (A B, B A,
// ...) at 50 connections, each round's CPU per request read from the loaded process's /proc stat
// over the measured part (the whole process, and its request thread alone). Drift on a shared
// machine hits both alike; the paired difference is the cost of what differs.
// Used by metrics-paired.mjs and audit-paired.mjs.
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  cpuBusyPercent,
  cpuTimes,
  killAllNow,
  mainThreadCpuSeconds,
  pinSelf,
  planPinning,
  processCpuSeconds,
  runToResult,
  spawnNode,
  stopAll,
  stopChild,
} from './processes.mjs';
import { bearerHeaders } from './payloads.mjs';
import {
  checkPoliciesEnforced,
  checkTarget,
  removeAllTempDirs,
  startGateway,
  startUpstream,
} from './targets.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH_DIR);

export const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};

/** The command line's `--rounds`, `--seconds`, `--warmup` and `--connections`, with defaults. */
export const roundArgs = () => ({
  rounds: arg('rounds', 6),
  seconds: arg('seconds', 6),
  warmup: arg('warmup', 2),
  connections: arg('connections', 50),
});

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The bench's 50-connection (by default) throughput load against `origin`, on the load core. */
export function throughputLane(ctx, origin, headers, { connections = 50, warmupS, durationS }) {
  return spawnNode(
    'load (throughput)',
    [
      join(BENCH_DIR, 'lanes.mjs'),
      JSON.stringify({ lane: 'throughput', origin, headers, connections, warmupS, durationS }),
    ],
    { pinning: ctx.pinning, cpu: ctx.pinning.loadCpu, env: process.env, cwd: ROOT },
  );
}

/** One throughput round against one variant: µs of CPU per request, whole and request thread. */
async function round(ctx, variant, { connections, warmupS, durationS }) {
  const { sut, headers } = variant;
  let start;
  let cpu;
  const lane = throughputLane(ctx, sut.origin, headers, { connections, warmupS, durationS });
  const result = await runToResult(lane, (event) => {
    if (event.event === 'measure-start') {
      start = {
        all: processCpuSeconds(sut.pid),
        main: mainThreadCpuSeconds(sut.pid),
        cores: cpuTimes(),
      };
    } else if (event.event === 'measure-end') {
      cpu = {
        all: processCpuSeconds(sut.pid) - start.all,
        main: mainThreadCpuSeconds(sut.pid) - start.main,
        loadCore: cpuBusyPercent(start.cores, cpuTimes(), ctx.pinning.loadCpu),
      };
    }
  });
  return {
    micros: (cpu.all * 1e6) / result.ok,
    mainMicros: (cpu.main * 1e6) / result.ok,
    reqPerSec: result.reqPerSec,
    loadCoreBusy: cpu.loadCore,
  };
}

/** Pins this process to the load core and starts the fake upstream: the bench's context. */
export async function benchContext(log) {
  const pinning = planPinning();
  if (pinning.pinned) pinSelf(pinning, pinning.loadCpu);
  else log(`not pinned: ${pinning.reason}`);
  const ctx = { cfg: { readyTimeoutS: 20 }, pinning };
  const upstream = await startUpstream(ctx, { chunkDelayMs: 5 });
  ctx.upstreamOrigin = upstream.origin;
  return { ctx, upstream };
}

/**
 * The governed gateway with a key of its own (`options` as `startGateway` takes them), checked to
 * enforce its policies and to answer: { sut, headers }.
 */
export async function startGoverned(ctx, name, options = {}) {
  const apiKey = `gw_${randomBytes(20).toString('hex')}`;
  const sut = await startGateway(ctx, { apiKey, governed: true, label: name, ...options });
  const headers = bearerHeaders(apiKey);
  await checkPoliciesEnforced(name, sut, apiKey);
  await checkTarget(name, sut.origin, headers);
  return { sut, headers };
}

/**
 * Starts the fake upstream, then each variant (`start(ctx)` resolves with { sut, headers }),
 * gives each one unmeasured round (`afterWarmup(variant, ctx)` runs then), and measures `rounds`
 * alternating pairs (then `afterRounds(variant)`). Logs every round and returns the rounds of both.
 */
export async function runPaired({
  label,
  variants: [a, b],
  rounds,
  seconds,
  warmup,
  connections,
  log,
}) {
  const { ctx, upstream } = await benchContext(log);
  const lane = { connections, warmupS: warmup, durationS: seconds };
  for (const v of [a, b]) Object.assign(v, await v.start(ctx), { rounds: [] });
  for (const v of [a, b]) {
    await round(ctx, v, lane);
    await v.afterWarmup?.(v, ctx);
  }
  for (let r = 0; r < rounds; r++) {
    // A B, B A, ...: neither always goes first.
    const order = r % 2 === 0 ? [a, b] : [b, a];
    for (const v of order) v.rounds.push(await round(ctx, v, lane));
    const [x, y] = [a.rounds[r], b.rounds[r]];
    log(
      `round ${r + 1}: ${a.name} ${x.micros.toFixed(0)} µs/req (request thread ${x.mainMicros.toFixed(0)}, ` +
        `${x.reqPerSec.toFixed(0)} req/s), ${b.name} ${y.micros.toFixed(0)} µs/req (request thread ` +
        `${y.mainMicros.toFixed(0)}, ${y.reqPerSec.toFixed(0)} req/s): ${(x.micros - y.micros).toFixed(1)} µs`,
    );
  }
  const summary = (key, what) => {
    const diffs = a.rounds.map((x, i) => x[key] - b.rounds[i][key]);
    const base = median(b.rounds.map((x) => x[key]));
    const d = median(diffs);
    return (
      `${what}: median ${d.toFixed(1)} (${Math.min(...diffs).toFixed(1)} to ` +
      `${Math.max(...diffs).toFixed(1)}), ${((100 * d) / base).toFixed(1)}% of ${b.name} (median ${base.toFixed(1)})`
    );
  };
  console.log(`${label}, paired, ${rounds} rounds of ${seconds} s, ${a.name} minus ${b.name}:`);
  console.log(`  ${summary('micros', 'CPU per request, whole process, µs')}`);
  console.log(`  ${summary('mainMicros', 'CPU per request, request thread, µs')}`);
  console.log(`  ${summary('reqPerSec', 'throughput, req/s')}`);
  const busy = [...a.rounds, ...b.rounds].map((x) => x.loadCoreBusy).filter((x) => x !== null);
  if (busy.length > 0) {
    console.log(
      `  load core busy: ${Math.min(...busy).toFixed(0)}-${Math.max(...busy).toFixed(0)}% ` +
        '(above about 95% the load generator, not the target, limits a round)',
    );
  }
  for (const v of [a, b]) await v.afterRounds?.(v);
  for (const v of [a, b]) await stopChild(v.sut.child);
  await stopChild(upstream.child);
  return { a: a.rounds, b: b.rounds };
}

/** Runs `main`, cleaning up every child and temporary folder however it ends. */
export function runMain(main, log) {
  process.on('exit', killAllNow);
  main().then(
    async () => {
      await stopAll(1500);
      removeAllTempDirs();
    },
    async (err) => {
      log(`failed: ${err?.stack ?? err}`);
      await stopAll(1500);
      removeAllTempDirs();
      process.exit(1);
    },
  );
}
