// The load side of the RSS lanes (issue 14), a child process beside the fake upstream:
//   node bench/rss-lanes.mjs '<json spec>'
// spec.lane is one of:
//   concurrent  spec.count streams opened at once, each on its own connection (undici Pool of
//               spec.count connections); the upstream spaces its chunks so that they overlap.
//               Counts how many were open (first data frame in, [DONE] not yet) at the same time.
//   soak        spec.seconds of mixed load: JSON chat over autocannon at spec.connections,
//               spec.streams streams kept open at all times, and one client looping over refusals
//               (an unknown key: 401, a denied model: 403) that must get exactly those answers.
// Progress and the result are JSON lines on stdout, as in lanes.mjs ({"event":"open",...} while
// streams open, {"event":"result",...} at the end).
import autocannon from 'autocannon';
import { Pool } from 'undici';
import { bearerHeaders, CHAT_BODY, CHAT_PATH, STREAM_BODY } from './payloads.mjs';

const emit = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);

/** Reads one SSE answer to its end: data frames seen, and whether [DONE] came. */
async function readStream(body, onFirstFrame) {
  let frames = 0;
  let done = false;
  let buffered = '';
  const decoder = new TextDecoder();
  for await (const piece of body) {
    buffered += decoder.decode(piece, { stream: true }).replace(/\r\n/g, '\n');
    let end;
    while ((end = buffered.indexOf('\n\n')) !== -1) {
      const event = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      if (!event.startsWith('data:')) continue;
      if (event.slice(5).trim() === '[DONE]') done = true;
      else if (frames++ === 0) onFirstFrame();
    }
  }
  return { frames, done };
}

async function oneStream(pool, headers, counters, expectedFrames) {
  let opened = false;
  try {
    const { statusCode, body } = await pool.request({
      path: CHAT_PATH,
      method: 'POST',
      headers,
      body: STREAM_BODY,
    });
    if (statusCode !== 200) {
      await body.text();
      counters.failed++;
      counters.lastError = `status ${statusCode}`;
      return;
    }
    const { frames, done } = await readStream(body, () => {
      opened = true;
      counters.open++;
      counters.maxOpen = Math.max(counters.maxOpen, counters.open);
    });
    if (!done || (expectedFrames && frames !== expectedFrames)) {
      counters.incomplete++;
    } else {
      counters.completed++;
    }
  } catch (err) {
    counters.failed++;
    counters.lastError = err?.code ?? err?.message ?? String(err);
  } finally {
    if (opened) counters.open--;
  }
}

async function concurrent({ origin, apiKey, count, expectedFrames }) {
  const pool = new Pool(origin, {
    connections: count,
    pipelining: 1,
    headersTimeout: 120_000,
    bodyTimeout: 120_000,
  });
  const counters = { open: 0, maxOpen: 0, completed: 0, incomplete: 0, failed: 0, lastError: null };
  const headers = bearerHeaders(apiKey);
  const t0 = Date.now();
  const ticker = setInterval(() => emit({ event: 'open', open: counters.open }), 500);
  try {
    emit({ event: 'measure-start' });
    await Promise.all(
      Array.from({ length: count }, () => oneStream(pool, headers, counters, expectedFrames)),
    );
    emit({ event: 'measure-end' });
  } finally {
    clearInterval(ticker);
    await pool.close();
  }
  return { count, ...counters, seconds: (Date.now() - t0) / 1000 };
}

function runAutocannon(opts) {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/** Calls that must be refused: an unknown key (401) and the probe's denied model (403). */
async function refusals(origin, apiKey, deniedModel, until, counters) {
  const pool = new Pool(origin, { connections: 1 });
  const denied = JSON.stringify({ ...JSON.parse(CHAT_BODY), model: deniedModel });
  const calls = [
    [bearerHeaders(`gw_${'0'.repeat(40)}`), CHAT_BODY, 401],
    [bearerHeaders(apiKey), denied, 403],
  ];
  try {
    for (let i = 0; Date.now() < until; i++) {
      const [headers, body, expected] = calls[i % calls.length];
      const r = await pool.request({ path: CHAT_PATH, method: 'POST', headers, body });
      await r.body.text();
      if (r.statusCode === expected) counters.refused++;
      else counters.wrongRefusals++;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    await pool.close();
  }
}

async function soak({
  origin,
  apiKey,
  seconds,
  connections,
  streams,
  expectedFrames,
  deniedModel,
}) {
  const until = Date.now() + seconds * 1000;
  const counters = {
    open: 0,
    maxOpen: 0,
    completed: 0,
    incomplete: 0,
    failed: 0,
    lastError: null,
    refused: 0,
    wrongRefusals: 0,
  };
  const pool = new Pool(origin, {
    connections: streams,
    pipelining: 1,
    headersTimeout: 120_000,
    bodyTimeout: 120_000,
  });
  const headers = bearerHeaders(apiKey);
  const streamWorker = async () => {
    while (Date.now() < until) await oneStream(pool, headers, counters, expectedFrames);
  };
  emit({ event: 'measure-start' });
  const [json] = await Promise.all([
    runAutocannon({
      url: `${origin}${CHAT_PATH}`,
      method: 'POST',
      headers,
      body: CHAT_BODY,
      connections,
      pipelining: 1,
      timeout: 10,
      duration: seconds,
    }),
    ...Array.from({ length: streams }, streamWorker),
    refusals(origin, apiKey, deniedModel, until, counters),
  ]);
  emit({ event: 'measure-end' });
  await pool.close();
  return {
    seconds,
    json: { ok: json['2xx'], non2xx: json.non2xx, errors: json.errors, timeouts: json.timeouts },
    streams: {
      concurrent: streams,
      completed: counters.completed,
      incomplete: counters.incomplete,
      failed: counters.failed,
      lastError: counters.lastError,
    },
    refusals: { expected: counters.refused, wrong: counters.wrongRefusals },
  };
}

const LANES = { concurrent, soak };

const spec = JSON.parse(process.argv[2] ?? '{}');
const lane = LANES[spec.lane];
if (!lane) {
  process.stderr.write(`rss-lanes.mjs: unknown lane ${JSON.stringify(spec.lane)}\n`);
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
  process.stderr.write(`rss-lanes.mjs ${spec.lane}: ${err?.stack ?? err}\n`);
  process.exit(1);
}
