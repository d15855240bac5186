// The cost of Prometheus metrics on the governed lane (issue 14), paired: the governed gateway
// with metrics on and the same with metrics off, both started and pinned as the bench pins them
// (both on the target's CPU, loaded one at a time), in alternating rounds (on off off on ...) at
// 50 connections, each round's CPU per request read from the loaded process's /proc stat over
// the measured part. Drift on a shared machine hits both alike; the paired difference is the
// cost of metrics.
//
//   node bench/metrics-paired.mjs [--rounds 6] [--seconds 6] [--warmup 2] [--connections 50]
//                                 [--aa]
//
// --aa starts both with metrics off (an A/A run): what the method itself reports as a cost when
// there is none (the first-started process, placement on the core). Each variant gets one
// unmeasured round first.
// (build first: npx nest build; BENCH_GATEWAY_ENTRY runs another build.)
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bearerHeaders } from './payloads.mjs';
import {
  killAllNow,
  pinSelf,
  planPinning,
  processCpuSeconds,
  runToResult,
  spawnNode,
  stopAll,
  stopChild,
} from './processes.mjs';
import {
  checkPoliciesEnforced,
  checkTarget,
  removeAllTempDirs,
  startGateway,
  startUpstream,
} from './targets.mjs';
import { checkMetrics } from './observability.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH_DIR);
const log = (msg) => process.stderr.write(`metrics-paired: ${msg}\n`);
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const ROUNDS = arg('rounds', 6);
const SECONDS = arg('seconds', 6);
const WARMUP = arg('warmup', 2);
const CONNECTIONS = arg('connections', 50);
const AA = process.argv.includes('--aa');

async function round(ctx, sut, headers) {
  let start;
  let cpu;
  const lane = spawnNode(
    'load (throughput)',
    [
      join(BENCH_DIR, 'lanes.mjs'),
      JSON.stringify({
        lane: 'throughput',
        origin: sut.origin,
        headers,
        connections: CONNECTIONS,
        warmupS: WARMUP,
        durationS: SECONDS,
      }),
    ],
    { pinning: ctx.pinning, cpu: ctx.pinning.loadCpu, env: process.env, cwd: ROOT },
  );
  const result = await runToResult(lane, (event) => {
    if (event.event === 'measure-start') start = processCpuSeconds(sut.pid);
    else if (event.event === 'measure-end') cpu = processCpuSeconds(sut.pid) - start;
  });
  return { micros: (cpu * 1e6) / result.ok, reqPerSec: result.reqPerSec };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main() {
  const pinning = planPinning();
  if (pinning.pinned) pinSelf(pinning, pinning.loadCpu);
  else log(`not pinned: ${pinning.reason}`);
  const ctx = { cfg: { readyTimeoutS: 20 }, pinning };
  const upstream = await startUpstream(ctx, { chunkDelayMs: 5 });
  ctx.upstreamOrigin = upstream.origin;
  const variants = {};
  for (const metrics of [true, false]) {
    const apiKey = `gw_${randomBytes(20).toString('hex')}`;
    const name = metrics ? 'metrics on' : 'metrics off';
    const enabled = metrics && !AA;
    const sut = await startGateway(ctx, { apiKey, governed: true, metrics: enabled, label: name });
    const headers = bearerHeaders(apiKey);
    await checkPoliciesEnforced(name, sut, apiKey);
    await checkTarget(name, sut.origin, headers);
    await checkMetrics(name, sut.origin, enabled);
    variants[name] = { sut, headers, rounds: [] };
  }
  const on = variants['metrics on'];
  const off = variants['metrics off'];
  if (AA) log('A/A: both started with metrics off; "on" is the first started');
  for (const v of [on, off]) await round(ctx, v.sut, v.headers);
  for (let r = 0; r < ROUNDS; r++) {
    // on off, off on, ...: neither always goes first.
    const order = r % 2 === 0 ? [on, off] : [off, on];
    for (const v of order) v.rounds.push(await round(ctx, v.sut, v.headers));
    const a = on.rounds[r];
    const b = off.rounds[r];
    log(
      `round ${r + 1}: on ${a.micros.toFixed(0)} µs/req (${a.reqPerSec.toFixed(0)} req/s), ` +
        `off ${b.micros.toFixed(0)} µs/req (${b.reqPerSec.toFixed(0)} req/s): ` +
        `${(a.micros - b.micros).toFixed(1)} µs`,
    );
  }
  const diffs = on.rounds.map((a, i) => a.micros - off.rounds[i].micros);
  const offMedian = median(off.rounds.map((x) => x.micros));
  const d = median(diffs);
  console.log(
    `metrics cost, paired: median ${d.toFixed(1)} µs of CPU per request ` +
      `(${Math.min(...diffs).toFixed(1)} to ${Math.max(...diffs).toFixed(1)}), ` +
      `${((100 * d) / offMedian).toFixed(1)}% of metrics off (median ${offMedian.toFixed(0)} µs); ` +
      `${ROUNDS} rounds of ${SECONDS} s`,
  );
  for (const v of [on, off]) await stopChild(v.sut.child);
  await stopChild(upstream.child);
}

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
