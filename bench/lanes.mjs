// The load side of the benchmark, run as a child process pinned beside the fake upstream:
//   node bench/lanes.mjs '<json spec>'
// spec.lane is one of:
//   throughput  autocannon at spec.connections: warm-up, then the measured run
//   latency     one keep-alive connection, sequential requests, per-request time in microseconds
//   stream      sequential streams on one connection: time to first data frame and gaps between frames
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

async function throughput({ origin, connections, warmupS, durationS }) {
  const opts = {
    url: `${origin}${CHAT_PATH}`,
    method: 'POST',
    headers: REQUEST_HEADERS,
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

async function latency({ origin, warmupS, durationS, maxSamples = 500_000 }) {
  const client = new Client(origin, { pipelining: 1, keepAliveTimeout: 60_000 });
  const request = { path: CHAT_PATH, method: 'POST', headers: REQUEST_HEADERS, body: CHAT_BODY };
  const samples = [];
  let failures = 0;
  let lastStatus = null;
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
      const { statusCode, body } = await client.request(request);
      await readAll(body);
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
  return { connections: 1, failures, lastFailureStatus: lastStatus, ms: summarize(samples) };
}

const FRAME_END = /\r?\n\r?\n/;

/** One stream: arrival time of each SSE data frame, relative to the request start, in ms. */
async function oneStream(client) {
  const t0 = nowNs();
  const { statusCode, headers, body } = await client.request({
    path: CHAT_PATH,
    method: 'POST',
    headers: REQUEST_HEADERS,
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

async function stream({ origin, count, warmup = 1, maxS, expectedFrames }) {
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
  try {
    // Unmeasured streams open the connection and warm both ends.
    for (let i = 0; i < warmup; i++) await oneStream(client);
    emit({ event: 'measure-start' });
    const end = Date.now() + maxS * 1000;
    for (let i = 0; i < count && Date.now() < end; i++) {
      const s = await oneStream(client);
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

const LANES = { throughput, latency, stream };

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
