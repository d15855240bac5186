// When a target's slowest calls happen (issue 17: the added p99 at one connection): calls one at
// a time, as the bench's latency lane makes them, against one target started and pinned as the
// bench starts it, each call's latency kept with when it started; then the percentiles and how
// many of the calls slower than the p99 fell in each second of the run. Calls that cluster at the
// start are warm-up (JIT, heap growth); a steady rate later is what a long-running process pays.
//
//   node bench/slow-calls.mjs [reference | gateway | gateway-governed] [--seconds 10]
//                             [--warmup 2] [--audit off]      (build first: npx nest build)
import { Agent, request } from 'undici';
import { arg, benchContext, runMain, startGoverned } from './paired-rounds.mjs';
import { CHAT_BODY, CHAT_PATH, KEYLESS_HEADERS } from './payloads.mjs';
import { stopChild } from './processes.mjs';
import { startGateway, startReference } from './targets.mjs';

const log = (msg) => process.stderr.write(`slow-calls: ${msg}\n`);
const target = process.argv[2]?.startsWith('--') ? 'gateway' : (process.argv[2] ?? 'gateway');
const SECONDS = arg('seconds', 10);
const WARMUP = arg('warmup', 2);
const audit = !(process.argv.includes('--audit') && process.argv.includes('off'));

async function start(ctx) {
  if (target === 'reference') return { sut: await startReference(ctx), headers: KEYLESS_HEADERS };
  if (target === 'gateway') {
    return { sut: await startGateway(ctx, { audit }), headers: KEYLESS_HEADERS };
  }
  if (target !== 'gateway-governed') throw new Error(`unknown target ${target}`);
  return startGoverned(ctx, target, { audit });
}

runMain(async () => {
  const { ctx, upstream } = await benchContext(log);
  const { sut, headers } = await start(ctx);
  const dispatcher = new Agent({ connections: 1 });
  const call = async () => {
    const r = await request(`${sut.origin}${CHAT_PATH}`, {
      method: 'POST',
      headers,
      body: CHAT_BODY,
      dispatcher,
    });
    await r.body.text();
    if (r.statusCode !== 200) throw new Error(`${target} answered ${r.statusCode}`);
  };
  for (const end = performance.now() + WARMUP * 1000; performance.now() < end;) await call();
  const t0 = performance.now();
  const calls = [];
  while (performance.now() - t0 < SECONDS * 1000) {
    const s = performance.now();
    await call();
    calls.push([s - t0, performance.now() - s]);
  }
  const sorted = calls.map(([, ms]) => ms).sort((a, b) => a - b);
  const at = (p) => sorted[Math.floor(p * (sorted.length - 1))];
  const p99 = at(0.99);
  const perSecond = new Array(Math.ceil(SECONDS)).fill(0);
  for (const [t, ms] of calls) if (ms > p99) perSecond[Math.floor(t / 1000)] += 1;
  console.log(
    `${target}${audit ? '' : ' (audit off)'}: ${calls.length} calls in ${SECONDS} s after ${WARMUP} s ` +
      `of warm-up; latency ms p50 ${at(0.5).toFixed(3)}, p90 ${at(0.9).toFixed(3)}, ` +
      `p99 ${p99.toFixed(3)}, p99.9 ${at(0.999).toFixed(3)}, max ${at(1).toFixed(3)}`,
  );
  console.log(`calls slower than the p99, second by second: ${perSecond.join(' ')}`);
  await dispatcher.close();
  await stopChild(sut.child);
  await stopChild(upstream.child);
}, log);
