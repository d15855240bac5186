// What a target's request thread allocates per request under the 50-connection non-streaming load,
// by function and by owner (issue 17: the garbage the collector then spends CPU on):
//
//   node bench/alloc-profile.mjs [gateway | gateway-governed | gateway-governed-noaudit]
//                                [--seconds 8] [--warmup 3] [--interval 1024] [--top 25]
//
// (build first: npx nest build). The target is started and pinned as the bench starts it, with
// the inspector on a loopback port; over the inspector protocol V8's sampling heap profiler runs
// for the measured window only, keeping the objects minor and major GCs collected (so the figure
// is everything allocated, garbage included, not what is still alive). Bytes are sampled every
// `--interval` bytes on average, so small figures are estimates. "Owners" charge each allocation
// to the nearest frame that is not Node core or native code, as profile-summary.mjs does for time.
import { WebSocket } from 'undici';
import { benchContext, runMain, startGoverned, throughputLane } from './paired-rounds.mjs';
import { KEYLESS_HEADERS } from './payloads.mjs';
import { freePort, runToResult, stopChild } from './processes.mjs';
import { startGateway } from './targets.mjs';
import { groupOf, locationOf, ownerless, packageOf } from './profile-frames.mjs';

const log = (msg) => process.stderr.write(`alloc-profile: ${msg}\n`);
const option = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const TARGET = process.argv[2]?.startsWith('--')
  ? 'gateway-governed'
  : (process.argv[2] ?? 'gateway-governed');
const SECONDS = option('seconds', 8);
const WARMUP = option('warmup', 3);
const INTERVAL = option('interval', 1024);
const TOP = option('top', 25);

/** A minimal inspector-protocol client over the target's WebSocket. */
async function inspector(port) {
  const list = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const ws = new WebSocket(list[0].webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => reject(new Error('the inspector connection failed'));
  });
  let next = 0;
  const waiting = new Map();
  ws.onmessage = ({ data }) => {
    const message = JSON.parse(data);
    const pending = waiting.get(message.id);
    if (pending === undefined) return;
    waiting.delete(message.id);
    if (message.error) pending.reject(new Error(message.error.message));
    else pending.resolve(message.result);
  };
  return {
    post: (method, params = {}) =>
      new Promise((resolve, reject) => {
        const id = ++next;
        waiting.set(id, { resolve, reject });
        ws.send(JSON.stringify({ id, method, params }));
      }),
    close: () => ws.close(),
  };
}

async function start(ctx, nodeArgs) {
  if (TARGET === 'gateway') {
    return { sut: await startGateway(ctx, { nodeArgs }), headers: KEYLESS_HEADERS };
  }
  if (TARGET === 'gateway-governed' || TARGET === 'gateway-governed-noaudit') {
    return startGoverned(ctx, TARGET, { audit: TARGET === 'gateway-governed', nodeArgs });
  }
  throw new Error(`unknown target ${TARGET} (gateway, gateway-governed, gateway-governed-noaudit)`);
}

/** Self bytes by function and by owner, from a sampling heap profile's tree. */
function summarise(head) {
  const byFunction = new Map();
  const byOwner = new Map();
  let total = 0;
  const walk = (node, owner) => {
    const frame = node.callFrame;
    const pkg = packageOf(frame);
    const own = ownerless(pkg) || pkg.startsWith('(') ? owner : { frame, pkg };
    if (node.selfSize > 0) {
      total += node.selfSize;
      const key = `${frame.functionName}|${frame.url}|${frame.lineNumber}`;
      const entry = byFunction.get(key) ?? { frame, bytes: 0 };
      entry.bytes += node.selfSize;
      byFunction.set(key, entry);
      const ownerPkg = own?.pkg ?? pkg;
      byOwner.set(ownerPkg, (byOwner.get(ownerPkg) ?? 0) + node.selfSize);
    }
    for (const child of node.children) walk(child, own);
  };
  walk(head, undefined);
  return { total, byFunction, byOwner };
}

runMain(async () => {
  const { ctx, upstream } = await benchContext(log);
  const port = await freePort();
  const { sut, headers } = await start(ctx, [`--inspect=127.0.0.1:${port}`]);
  const session = await inspector(port);
  await session.post('HeapProfiler.enable');
  log(`${TARGET} (pid ${sut.pid}): ${WARMUP} s warm-up, then ${SECONDS} s at 50 connections`);
  let sampling;
  const lane = throughputLane(ctx, sut.origin, headers, {
    warmupS: WARMUP,
    durationS: SECONDS,
  });
  let stopped;
  const result = await runToResult(lane, (event) => {
    if (event.event === 'measure-start') {
      sampling = session.post('HeapProfiler.startSampling', {
        samplingInterval: INTERVAL,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
    } else if (event.event === 'measure-end') {
      stopped = sampling.then(() => session.post('HeapProfiler.stopSampling'));
    }
  });
  const { profile } = await stopped;
  session.close();
  const requests = result.ok;
  const { total, byFunction, byOwner } = summarise(profile.head);
  const perRequest = (bytes) => (bytes / requests).toFixed(0).padStart(7);
  console.log(
    `${TARGET}: ${requests.toLocaleString('en-US')} requests in ${SECONDS} s; ` +
      `${perRequest(total).trim()} bytes allocated per request (sampled every ${INTERVAL} bytes)`,
  );
  console.log(`\nby owner (bytes per request)`);
  const groups = new Map();
  for (const [pkg, bytes] of [...byOwner].sort((a, b) => b[1] - a[1])) {
    groups.set(groupOf(pkg), (groups.get(groupOf(pkg)) ?? 0) + bytes);
    if (bytes / requests >= 50) console.log(`${perRequest(bytes)}  ${pkg}`);
  }
  console.log(`\nby group (bytes per request)`);
  for (const [group, bytes] of [...groups].sort((a, b) => b[1] - a[1])) {
    console.log(`${perRequest(bytes)}  ${group}`);
  }
  console.log(`\ntop ${TOP} functions by bytes allocated (self, per request)`);
  for (const { frame, bytes } of [...byFunction.values()]
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, TOP)) {
    console.log(
      `${perRequest(bytes)}  ${frame.functionName || '(anonymous)'}  ${packageOf(frame)}  ${locationOf(frame)}`,
    );
  }
  await stopChild(sut.child);
  await stopChild(upstream.child);
}, log);
