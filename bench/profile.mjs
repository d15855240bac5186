// CPU profile of one system under test, started and pinned as the benchmark does, under the
// 50-connection non-streaming load:
//
//   node bench/profile.mjs [gateway-auth | gateway | gateway-governed | gateway-governed-noaudit |
//                           gateway-governed-nometrics | reference]
//                          [--seconds 12] [--warmup 3] [--connections 50] [--out <folder>] [--top 25]
//                          [--rate <req/s>] [--perf <perf.data>]
//
// (build first: npx nest build, or npm run bench). The target runs under `node --cpu-prof` alone on
// the second CPU; the fake upstream and autocannon share the first. After the warm-up and the
// measured load it is stopped with SIGINT (the gateway's graceful stop; SIGTERM for the reference
// proxy, which exits on it), V8 writes the .cpuprofile, and profile-summary.mjs prints the
// measured window only (start-up, warm-up and shutdown left out). The profile stays in --out (a
// temporary folder by default) for `node bench/profile-summary.mjs <file> --match <text>` or
// Chrome DevTools.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn, spawnSync } from 'node:child_process';
import { bearerHeaders, KEYLESS_HEADERS, REQUEST_HEADERS } from './payloads.mjs';
import {
  killAllNow,
  pinSelf,
  planPinning,
  runToResult,
  spawnNode,
  stopAll,
  stopChild,
} from './processes.mjs';
import {
  checkKeyIsVerified,
  checkPoliciesEnforced,
  checkTarget,
  removeAllTempDirs,
  startGateway,
  startReference,
  startUpstream,
} from './targets.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH_DIR);
const log = (msg) => process.stderr.write(`profile: ${msg}\n`);

function parseArgs(argv) {
  const out = { target: 'gateway-auth', seconds: 12, warmup: 3, connections: 50, top: 25 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--seconds') out.seconds = Number(argv[++i]);
    else if (a === '--warmup') out.warmup = Number(argv[++i]);
    else if (a === '--connections') out.connections = Number(argv[++i]);
    else if (a === '--out') out.out = resolve(argv[++i]);
    else if (a === '--top') out.top = Number(argv[++i]);
    else if (a === '--perf') out.perf = resolve(argv[++i]);
    else if (a === '--rate') out.rate = Number(argv[++i]);
    else if (!a.startsWith('-')) out.target = a;
    else throw new Error(`unknown option ${a}`);
  }
  const known = [
    'gateway',
    'gateway-auth',
    'gateway-governed',
    'gateway-governed-noaudit',
    'gateway-governed-nometrics',
  ];
  if (![...known, 'reference'].includes(out.target)) {
    throw new Error(`unknown target ${out.target} (${known.join(', ')}, reference)`);
  }
  return out;
}

/** `perf record` of every thread of `pid`, with call graphs, until SIGINT. */
function startPerf(file, pid) {
  const child = spawn('perf', ['record', '-g', '-F', '999', '-p', String(pid), '-o', file], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  child.on('error', (err) => log(`perf could not start: ${err.message}`));
  return child;
}

/** Waits for the child to exit after `signal`; SIGKILL (and no profile) after `graceMs`. */
async function stopWith(child, signal, graceMs) {
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  const exit = await child.exited;
  clearTimeout(timer);
  return exit;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const pinning = planPinning();
  if (pinning.pinned) pinSelf(pinning, pinning.loadCpu);
  else log(`not pinned: ${pinning.reason}`);
  const outDir = args.out ?? mkdtempSync(join(os.tmpdir(), 'gateway-cpuprof-'));
  mkdirSync(outDir, { recursive: true });
  const ctx = { cfg: { readyTimeoutS: 20 }, pinning };
  const upstream = await startUpstream(ctx, { chunkDelayMs: 5 });
  ctx.upstreamOrigin = upstream.origin;

  // --perf <file>: Linux perf samples the target's threads (kernel stacks included) over the
  // measured window instead of V8's profiler, for the time V8 only sees as a native call.
  const nodeArgs = args.perf
    ? ['--perf-basic-prof-only-functions']
    : ['--cpu-prof', `--cpu-prof-dir=${outDir}`];
  const spawnedAt = Date.now();
  let sut;
  let headers;
  if (args.target === 'reference') {
    sut = await startReference(ctx, { nodeArgs });
    headers = REQUEST_HEADERS;
  } else if (args.target === 'gateway') {
    sut = await startGateway(ctx, { nodeArgs });
    headers = KEYLESS_HEADERS;
  } else {
    const apiKey = `gw_${randomBytes(20).toString('hex')}`;
    const governed = args.target.startsWith('gateway-governed');
    const audit = args.target !== 'gateway-governed-noaudit';
    const metrics = args.target !== 'gateway-governed-nometrics';
    sut = await startGateway(ctx, { apiKey, governed, audit, metrics, nodeArgs });
    headers = bearerHeaders(apiKey);
    if (governed) await checkPoliciesEnforced(args.target, sut, apiKey);
  }
  await checkTarget(args.target, sut.origin, headers);
  if (args.target !== 'gateway' && args.target !== 'reference') {
    await checkKeyIsVerified(args.target, sut.origin);
  }

  log(
    `${args.target} (pid ${sut.pid}): ${args.warmup} s warm-up, then ${args.seconds} s at ${args.connections} connections`,
  );
  let window = null;
  const lane = spawnNode(
    'load (throughput)',
    [
      join(BENCH_DIR, 'lanes.mjs'),
      JSON.stringify({
        lane: 'throughput',
        origin: sut.origin,
        headers,
        connections: args.connections,
        warmupS: args.warmup,
        durationS: args.seconds,
        overallRate: args.rate,
      }),
    ],
    { pinning, cpu: pinning.loadCpu, env: process.env, cwd: ROOT },
  );
  let perf = null;
  const result = await runToResult(lane, (event) => {
    const at = (Date.now() - spawnedAt) / 1000;
    if (event.event === 'measure-start') {
      window = { from: at };
      if (args.perf) perf = startPerf(args.perf, sut.pid);
    } else if (event.event === 'measure-end' && window) {
      window.to = at;
      perf?.kill('SIGINT');
    }
  });
  log(
    `${Math.round(result.reqPerSec).toLocaleString('en-US')} req/s, ` +
      `non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}`,
  );

  if (perf) {
    await new Promise((done) =>
      perf.exitCode !== null || perf.signalCode !== null ? done() : perf.once('exit', done),
    );
  }
  const signal = args.target === 'reference' ? 'SIGTERM' : 'SIGINT';
  const exit = await stopWith(sut.child, signal, 10_000);
  if (sut.dir) removeAllTempDirs();
  await stopChild(upstream.child);
  if (args.perf) {
    log(`perf data: ${args.perf} (${result.ok} requests; perf report -i ${args.perf})`);
    return;
  }
  const profiles = readdirSync(outDir).filter((f) => f.endsWith('.cpuprofile'));
  if (!profiles.length) {
    throw new Error(
      `no .cpuprofile in ${outDir} (${args.target} exited with ${JSON.stringify(exit)})`,
    );
  }
  // V8 names a profile CPU.<date>.<time>.<pid>.<thread id>.<n>: thread 0 serves the requests; the
  // others (the audit writer's worker thread) are left in --out for profile-summary.mjs.
  const mainThread = profiles.filter((f) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(f));
  const file = join(outDir, (mainThread.length ? mainThread : profiles).sort().at(-1));
  for (const other of profiles.filter((f) => !mainThread.includes(f))) {
    log(`worker thread profile: ${join(outDir, other)}`);
  }
  log(`profile: ${file}; measured window ${window.from.toFixed(2)}..${window.to.toFixed(2)} s`);
  // The profile's clock starts when the process does, a few ms after spawnedAt: close enough.
  spawnSync(
    process.execPath,
    [
      join(BENCH_DIR, 'profile-summary.mjs'),
      file,
      '--from',
      String(window.from),
      '--to',
      String(window.to),
      '--top',
      String(args.top),
      '--requests',
      String(result.ok),
    ],
    { stdio: 'inherit' },
  );
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
process.on('unhandledRejection', (err) => void shutdown(1, `failed: ${err?.message ?? err}`));

main().then(
  () => shutdown(0),
  (err) => shutdown(1, `failed: ${err?.stack ?? err}`),
);
