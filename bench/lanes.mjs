// The load side of the benchmark, run as a child process pinned beside the fake upstream:
//   node bench/lanes.mjs '<json spec>'
// spec.lane is one of:
//   throughput  autocannon at spec.connections: warm-up, then the measured run
//   latency     one keep-alive connection, sequential requests, per-request time in microseconds
//   stream      sequential streams on one connection: time to first data frame and gaps between frames
//   paired      autocannon rounds alternating two header sets (A B B A ...) against one target: the
//               cost of B over A with drift cancelled (the gateway keyless vs with an API key)
// spec.headers are the request headers (default: REQUEST_HEADERS); the paired lane takes
// spec.headersA and spec.headersB.
// Progress and the result are JSON lines on stdout ({"event":"measure-start"}, {"event":"result",...}).
import autocannon from 'autocannon';
import { Client } from 'undici';
import { CHAT_BODY, CHAT_PATH, REQUEST_HEADERS, STREAM_BODY } from './payloads.mjs';

const emit = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);

/** Marks the end of the measured part, and waits for the orchestrator to read our CPU time. */
async function measureEnd() {
  emit({ event: 'measure-end' });
  await new Promise((resolve) => setTimeout(resolve, 200));
}
const nowNs = () => process.hrtime.bigint();
const msSince = (t0, t1 = nowNs()) => Number(t1 - t0) / 1e6;

/** Percentile by nearest rank over an ascending array. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function summarize(values) {
  if (values.length === 0) return { n: 0 };
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    n: sorted.length,
    mean: sum / sorted.length,
    min: sorted[0],
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1],
  };
}

function runAutocannon(opts) {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

async function throughput({
  origin,
  headers = REQUEST_HEADERS,
  connections,
  warmupS,
  durationS,
  overallRate,
}) {
  const opts = {
    // A fixed request rate (autocannon's overallRate) instead of as fast as the target answers:
    // profile.mjs --rate, to compare CPU per request at equal load.
    ...(overallRate ? { overallRate } : {}),
    url: `${origin}${CHAT_PATH}`,
    method: 'POST',
    headers,
    body: CHAT_BODY,
    connections,
    pipelining: 1,
    timeout: 10,
  };
  if (warmupS > 0) await runAutocannon({ ...opts, duration: warmupS });
  emit({ event: 'measure-start' });
  const r = await runAutocannon({ ...opts, duration: durationS });
  await measureEnd();
  return {
    connections,
    durationS: r.duration,
    ok: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes: Object.fromEntries(
      Object.entries(r.statusCodeStats ?? {}).map(([code, s]) => [code, s.count]),
    ),
    // Completed 2xx answers over the measured time: failures must not count as throughput.
    reqPerSec: r['2xx'] / r.duration,
    reqPerSecAutocannonMean: r.requests.average,
    reqPerSecStddev: r.requests.stddev,
    // autocannon records latency in whole milliseconds: the latency lane has the fine figures.
    latencyMs: {
      mean: r.latency.average,
      p50: r.latency.p50,
      p99: r.latency.p99,
      max: r.latency.max,
    },
    bytesPerSec: r.throughput.average,
  };
}

async function readAll(body) {
  await body.arrayBuffer();
}

/**
 * A request that fails at the socket (reset, closed) counts as a failure and the lane goes on (the
 * undici client reconnects); this many in a row means the target is gone.
 */
const MAX_CONSECUTIVE_ERRORS = 20;

function errorCounter() {
  let inRow = 0;
  const counter = {
    total: 0,
    last: null,
    ok() {
      inRow = 0;
    },
    fail(err) {
      counter.total++;
      counter.last = err?.code ?? err?.message ?? String(err);
      if (++inRow >= MAX_CONSECUTIVE_ERRORS) throw err;
    },
  };
  return counter;
}

async function latency({
  origin,
  headers = REQUEST_HEADERS,
  warmupS,
  durationS,
  maxSamples = 500_000,
}) {
  const client = new Client(origin, { pipelining: 1, keepAliveTimeout: 60_000 });
  const request = { path: CHAT_PATH, method: 'POST', headers, body: CHAT_BODY };
  const samples = [];
  let failures = 0;
  let lastStatus = null;
  const errors = errorCounter();
  try {
    const warmEnd = Date.now() + warmupS * 1000;
    while (Date.now() < warmEnd) {
      const { body } = await client.request(request);
      await readAll(body);
    }
    emit({ event: 'measure-start' });
    const end = Date.now() + durationS * 1000;
    while (Date.now() < end && samples.length < maxSamples) {
      const t0 = nowNs();
      let statusCode;
      try {
        const answer = await client.request(request);
        statusCode = answer.statusCode;
        await readAll(answer.body);
        errors.ok();
      } catch (err) {
        errors.fail(err);
        failures++;
        continue;
      }
      const ms = msSince(t0);
      if (statusCode === 200) samples.push(ms);
      else {
        failures++;
        lastStatus = statusCode;
      }
    }
    await measureEnd();
  } finally {
    await client.close();
  }
  return {
    connections: 1,
    failures,
    lastFailureStatus: lastStatus,
    socketErrors: errors.total,
    lastSocketError: errors.last,
    ms: summarize(samples),
  };
}

const FRAME_END = /\r?\n\r?\n/;

/** One stream: arrival time of each SSE data frame, relative to the request start, in ms. */
async function oneStream(client, requestHeaders) {
  const t0 = nowNs();
  const { statusCode, headers, body } = await client.request({
    path: CHAT_PATH,
    method: 'POST',
    headers: requestHeaders,
    body: STREAM_BODY,
  });
  const frames = [];
  let done = false;
  let reads = 0;
  let buffered = '';
  body.setEncoding('utf8');
  for await (const piece of body) {
    const t = msSince(t0);
    reads++;
    buffered += piece;
    let match;
    while ((match = FRAME_END.exec(buffered)) !== null) {
      const event = buffered.slice(0, match.index);
      buffered = buffered.slice(match.index + match[0].length);
      const data = event
        .split(/\r?\n/)
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n');
      if (data === '') continue;
      if (data === '[DONE]') done = true;
      else frames.push(t);
    }
  }
  return {
    statusCode,
    contentType: headers['content-type'],
    frames,
    done,
    reads,
    totalMs: msSince(t0),
  };
}

async function stream({
  origin,
  headers = REQUEST_HEADERS,
  count,
  warmup = 1,
  maxS,
  expectedFrames,
}) {
  const client = new Client(origin, { pipelining: 1, keepAliveTimeout: 60_000 });
  const ttft = [];
  const gaps = [];
  const meanGaps = [];
  const totals = [];
  let failures = 0;
  let incomplete = 0;
  let wrongFrameCount = 0;
  let framesSeen = null;
  const readsPerStream = [];
  const errors = errorCounter();
  try {
    // Unmeasured streams open the connection and warm both ends.
    for (let i = 0; i < warmup; i++) await oneStream(client, headers);
    emit({ event: 'measure-start' });
    const end = Date.now() + maxS * 1000;
    for (let i = 0; i < count && Date.now() < end; i++) {
      let s;
      try {
        s = await oneStream(client, headers);
        errors.ok();
      } catch (err) {
        errors.fail(err);
        failures++;
        continue;
      }
      if (s.statusCode !== 200 || s.frames.length === 0) {
        failures++;
        continue;
      }
      if (!s.done) incomplete++;
      if (expectedFrames && s.frames.length !== expectedFrames) wrongFrameCount++;
      framesSeen = s.frames.length;
      readsPerStream.push(s.reads);
      ttft.push(s.frames[0]);
      totals.push(s.totalMs);
      for (let k = 1; k < s.frames.length; k++) gaps.push(s.frames[k] - s.frames[k - 1]);
      if (s.frames.length > 1) {
        meanGaps.push((s.frames[s.frames.length - 1] - s.frames[0]) / (s.frames.length - 1));
      }
    }
    await measureEnd();
  } finally {
    await client.close();
  }
  return {
    streams: ttft.length,
    failures,
    socketErrors: errors.total,
    lastSocketError: errors.last,
    incomplete,
    wrongFrameCount,
    framesPerStream: framesSeen,
    readsPerStream: summarize(readsPerStream),
    ttftMs: summarize(ttft),
    gapMs: summarize(gaps),
    meanGapPerStreamMs: summarize(meanGaps),
    totalMs: summarize(totals),
  };
}

/**
 * Rounds of `roundS` seconds at `connections`, alternating header sets A and B in the order
 * A B B A A B B A ... so that a slow drift of the machine weighs on both alike. Only 2xx count.
 */
async function paired({ origin, headersA, headersB, connections, warmupS, roundS, rounds }) {
  const base = {
    url: `${origin}${CHAT_PATH}`,
    method: 'POST',
    body: CHAT_BODY,
    connections,
    pipelining: 1,
    timeout: 10,
  };
  if (warmupS > 0) {
    await runAutocannon({ ...base, headers: headersA, duration: warmupS / 2 });
    await runAutocannon({ ...base, headers: headersB, duration: warmupS / 2 });
  }
  const runs = { A: [], B: [] };
  let failures = 0;
  emit({ event: 'measure-start' });
  for (let i = 0; i < rounds; i++) {
    for (const side of i % 2 === 0 ? ['A', 'B'] : ['B', 'A']) {
      const r = await runAutocannon({
        ...base,
        headers: side === 'A' ? headersA : headersB,
        duration: roundS,
      });
      failures += r.non2xx + r.errors + r.timeouts;
      runs[side].push(r['2xx'] / r.duration);
    }
  }
  await measureEnd();
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const a = mean(runs.A);
  const b = mean(runs.B);
  // Each A B pair (in either order) gives its own estimate: their spread tells how far to trust
  // the mean.
  const perPair = runs.A.map((ra, k) => 100 * (1 - runs.B[k] / ra));
  return {
    connections,
    rounds,
    roundS,
    failures,
    reqPerSecA: runs.A,
    reqPerSecB: runs.B,
    meanReqPerSecA: a,
    meanReqPerSecB: b,
    costPercent: 100 * (1 - b / a),
    costPercentPerPair: summarize(perPair),
  };
}

const LANES = { throughput, latency, stream, paired };

const spec = JSON.parse(process.argv[2] ?? '{}');
const lane = LANES[spec.lane];
if (!lane) {
  process.stderr.write(`lanes.mjs: unknown lane ${JSON.stringify(spec.lane)}\n`);
  process.exit(2);
}
// The orchestrator holds our stdin: if it dies, stop generating load at once.
process.stdin.on('end', () => process.exit(1));
process.stdin.on('error', () => process.exit(1));
process.stdin.resume();
try {
  emit({ event: 'result', result: await lane(spec) });
  process.exit(0);
} catch (err) {
  process.stderr.write(`lanes.mjs ${spec.lane}: ${err?.stack ?? err}\n`);
  process.exit(1);
}
