// Idle RSS over time (issue 14), the gateway started as the benchmark starts it:
//
//   node bench/rss-idle.mjs [gateway | gateway-governed] [--runs 3] [--seconds 30]
//
// (build first: npx nest build). Each run starts the fake upstream and the target (pinned as the
// benchmark pins them), makes the benchmark's checks (one JSON and one streamed call; the governed
// target: the API key and its policies too), then reads VmRSS from /proc/<pid>/status every second
// while the gateway is idle. Printed per run: RSS 3 s after the checks (the benchmark's "RSS idle"
// column), 10 s, 20 s and at the end, the lowest, and when it fell by 20 MB or more (V8's memory
// reducer returning the young generation: it waits for a low allocation rate, averaged over the
// last ten GCs, so 25-60 s after start-up or load); then the median and minimum over runs.
// BENCH_GATEWAY_NODE_FLAGS passes node flags to the gateway, as for the benchmark.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { bearerHeaders, KEYLESS_HEADERS } from './payloads.mjs';
import { killAllNow, planPinning, rssMb, stopChild } from './processes.mjs';
import {
  checkKeyIsVerified,
  checkPoliciesEnforced,
  checkTarget,
  removeAllTempDirs,
  removeTempDir,
  startGateway,
  startUpstream,
} from './targets.mjs';

const log = (msg) => process.stderr.write(`rss-idle: ${msg}\n`);

function parseArgs(argv) {
  const out = { target: 'gateway', runs: 3, seconds: 30 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--runs') out.runs = Number(argv[++i]);
    else if (a === '--seconds') out.seconds = Number(argv[++i]);
    else if (!a.startsWith('-')) out.target = a;
    else throw new Error(`unknown option ${a}`);
  }
  if (!['gateway', 'gateway-governed'].includes(out.target)) {
    throw new Error(`unknown target ${out.target} (gateway, gateway-governed)`);
  }
  return out;
}

async function oneRun(ctx, args) {
  const governed = args.target === 'gateway-governed';
  const apiKey = governed ? `gw_${randomBytes(20).toString('hex')}` : undefined;
  const sut = await startGateway(ctx, { apiKey, governed });
  try {
    if (governed) {
      await checkKeyIsVerified(args.target, sut.origin);
      await checkPoliciesEnforced(args.target, sut, apiKey);
    }
    await checkTarget(args.target, sut.origin, governed ? bearerHeaders(apiKey) : KEYLESS_HEADERS);
    const samples = [];
    for (let s = 1; s <= args.seconds; s++) {
      await sleep(1000);
      samples.push(rssMb(sut.pid));
    }
    const at = (s) => samples[Math.min(s, samples.length) - 1];
    // V8's memory reducer returning the young generation shows as a drop of 20 MB or more.
    const shrunk = samples.findIndex((rss) => rss < at(3) - 20);
    return {
      shrunkAtS: shrunk === -1 ? null : shrunk + 1,
      at3: at(3),
      at10: at(10),
      at20: at(20),
      end: at(samples.length),
      min: Math.min(...samples),
    };
  } finally {
    await stopChild(sut.child);
    removeTempDir(sut.dir);
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const pinning = planPinning({ wanted: process.env.BENCH_PIN !== '0' });
  const ctx = { cfg: { readyTimeoutS: 20 }, pinning };
  const upstream = await startUpstream(ctx, { chunkDelayMs: 5 });
  ctx.upstreamOrigin = upstream.origin;
  const runs = [];
  try {
    for (let i = 0; i < args.runs; i++) {
      const r = await oneRun(ctx, args);
      runs.push(r);
      const f = (n) => n.toFixed(0);
      log(
        `run ${i + 1}: RSS MB at 3 s ${f(r.at3)}, 10 s ${f(r.at10)}, 20 s ${f(r.at20)}, ` +
          `${args.seconds} s ${f(r.end)}; lowest ${f(r.min)}; ` +
          (r.shrunkAtS === null ? 'no memory-reducing GC seen' : `shrunk at ${r.shrunkAtS} s`),
      );
    }
  } finally {
    await stopChild(upstream.child);
    removeAllTempDirs();
  }
  for (const key of ['at3', 'at10', 'at20', 'end', 'min']) {
    const xs = runs.map((r) => r[key]);
    log(
      `${key}: median ${median(xs).toFixed(0)} MB, min ${Math.min(...xs).toFixed(0)} MB (${xs.map((x) => x.toFixed(0)).join(', ')})`,
    );
  }
}

main().catch((err) => {
  log(err.stack ?? String(err));
  killAllNow();
  removeAllTempDirs();
  process.exit(1);
});
