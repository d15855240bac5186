// A fake OpenAI-compatible upstream for the benchmark: POST /v1/chat/completions answers a fixed
// chat.completion, or with `stream: true` a dozen SSE chunks (wire-formats section 1.3). Everything
// it sends is built once, so the upstream costs as little CPU as possible per request.
//
// As a child process: `node bench/fake-upstream.mjs` listens on FAKE_UPSTREAM_PORT (0 = any free
// port), prints one JSON line {"event":"listening","port":N} and exits when its stdin closes.
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';

const ID = 'chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG';
const CREATED = 1741569952;
const MODEL = 'gpt-4o-mini-2024-07-18';
const FINGERPRINT = 'fp_44709d6fcb';
const CONTENT_PIECES = [
  'The capital',
  ' of France',
  ' is Paris.',
  ' It sits on',
  ' the Seine',
  ' in the north',
  ' of the country',
  ' and has been',
  ' its capital',
  ' since 987.',
];
const USAGE = {
  prompt_tokens: 42,
  completion_tokens: 27,
  total_tokens: 69,
  prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
  completion_tokens_details: {
    reasoning_tokens: 0,
    audio_tokens: 0,
    accepted_prediction_tokens: 0,
    rejected_prediction_tokens: 0,
  },
};

const COMPLETION = Buffer.from(
  JSON.stringify({
    id: ID,
    object: 'chat.completion',
    created: CREATED,
    model: MODEL,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: CONTENT_PIECES.join(''),
          refusal: null,
          annotations: [],
        },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: USAGE,
    service_tier: 'default',
    system_fingerprint: FINGERPRINT,
  }),
);

function frame(payload) {
  return Buffer.from(`data: ${JSON.stringify(payload)}\n\n`);
}

function chunk(delta, finishReason, withUsage) {
  const payload = {
    id: ID,
    object: 'chat.completion.chunk',
    created: CREATED,
    model: MODEL,
    service_tier: 'default',
    system_fingerprint: FINGERPRINT,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  };
  if (withUsage) payload.usage = null;
  return frame(payload);
}

function buildStream(withUsage) {
  const frames = [chunk({ role: 'assistant', content: '', refusal: null }, null, withUsage)];
  for (const piece of CONTENT_PIECES) frames.push(chunk({ content: piece }, null, withUsage));
  frames.push(chunk({}, 'stop', withUsage));
  // The usage chunk and [DONE] follow the finish chunk at once, as OpenAI sends them.
  const tail = [];
  if (withUsage) {
    tail.push(
      frame({
        id: ID,
        object: 'chat.completion.chunk',
        created: CREATED,
        model: MODEL,
        service_tier: 'default',
        system_fingerprint: FINGERPRINT,
        choices: [],
        usage: USAGE,
      }),
    );
  }
  tail.push(Buffer.from('data: [DONE]\n\n'));
  return { frames, tail };
}

const STREAM_KEY = Buffer.from('"stream"');
const STREAM_PLAIN = buildStream(false);
const STREAM_WITH_USAGE = buildStream(true);

/** Frames per stream, [DONE] excluded: what a client should count. */
export const STREAM_DATA_FRAMES = {
  withUsage: STREAM_WITH_USAGE.frames.length + STREAM_WITH_USAGE.tail.length - 1,
  plain: STREAM_PLAIN.frames.length + STREAM_PLAIN.tail.length - 1,
};
export const EXPECTED_CONTENT = CONTENT_PIECES.join('');

const JSON_HEADERS = {
  'content-type': 'application/json',
  'content-length': String(COMPLETION.length),
  'openai-processing-ms': '112',
  'x-request-id': 'req_bench_fixed',
};
const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'openai-processing-ms': '87',
  'x-request-id': 'req_bench_fixed',
};

function sendError(res, status, message, type) {
  const body = JSON.stringify({ error: { message, type, param: null, code: null } });
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body);
}

function sendStream(res, stream, delayMs) {
  res.writeHead(200, SSE_HEADERS);
  const { frames, tail } = stream;
  if (delayMs <= 0) {
    for (const f of frames) res.write(f);
    for (const f of tail) res.write(f);
    res.end();
    return;
  }
  let i = 0;
  let timer;
  const next = () => {
    if (res.destroyed) return;
    res.write(frames[i++]);
    if (i < frames.length) {
      timer = setTimeout(next, delayMs);
      return;
    }
    for (const f of tail) res.write(f);
    res.end();
  };
  res.on('close', () => clearTimeout(timer));
  next();
}

/**
 * Starts the fake upstream. `chunkDelayMs` spaces the streamed chunks (0 sends them at once).
 * Resolves to { server, port, stats }.
 */
export function startFakeUpstream({ port = 0, host = '127.0.0.1', chunkDelayMs = 0 } = {}) {
  const stats = { json: 0, streams: 0, errors: 0, unauthorized: 0 };
  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      stats.errors++;
      req.resume();
      sendError(res, 404, `Unknown request URL: ${req.method} ${req.url}`, 'invalid_request_error');
      return;
    }
    if (!req.headers.authorization?.startsWith('Bearer ')) stats.unauthorized++;
    const parts = [];
    req.on('data', (c) => parts.push(c));
    req.on('end', () => {
      const raw = parts.length === 1 ? parts[0] : Buffer.concat(parts);
      let body;
      try {
        // Most requests are not streams: skip the parse when "stream" is not even mentioned.
        body = raw.includes(STREAM_KEY) ? JSON.parse(raw) : null;
      } catch {
        stats.errors++;
        sendError(
          res,
          400,
          'We could not parse the JSON body of your request.',
          'invalid_request_error',
        );
        return;
      }
      if (body?.stream === true) {
        stats.streams++;
        const stream = body.stream_options?.include_usage ? STREAM_WITH_USAGE : STREAM_PLAIN;
        sendStream(res, stream, chunkDelayMs);
        return;
      }
      stats.json++;
      res.writeHead(200, JSON_HEADERS);
      res.end(COMPLETION);
    });
  });
  server.headersTimeout = 66_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve({ server, port: server.address().port, stats }));
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { port, stats } = await startFakeUpstream({
    port: Number(process.env.FAKE_UPSTREAM_PORT ?? 0),
    chunkDelayMs: Number(process.env.FAKE_UPSTREAM_CHUNK_DELAY_MS ?? 0),
  });
  process.stdout.write(`${JSON.stringify({ event: 'listening', port })}\n`);
  // Our parent holds the other end of stdin: when it goes, so do we.
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
  process.on('SIGTERM', () => {
    process.stderr.write(`fake upstream: ${JSON.stringify(stats)}\n`);
    process.exit(0);
  });
}
