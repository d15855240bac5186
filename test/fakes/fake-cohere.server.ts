/**
 * A real Cohere v2 API on loopback, for adapter and e2e tests: `node:http`, no mocking of the
 * client, the wire format of wire-formats section 8 (checked against the official `cohere-ai`
 * SDK in `fake-cohere.server.spec.ts`).
 *
 * - `POST /v2/chat`: JSON, or with `stream: true` named SSE events (`message-start`, content or
 *   tool-plan and tool-call events, `message-end` with finish reason and usage); no `[DONE]`.
 * - `POST /v2/embed`: float embeddings ({@link fakeCohereEmbedding} gives the exact values);
 *   `input_type` is required, as for Cohere's v3+ models.
 * - `Authorization: Bearer <apiKey>` is checked (401 `{"message": "invalid api token"}`
 *   otherwise); unknown fields, unknown roles, orphan tool results, `p` out of range and
 *   OpenAI's lower-case `tool_choice` are refused with 400, as Cohere does.
 *
 * Every request is recorded ({@link FakeCohereServer.requests}). Each request consumes the next
 * queued plan, if any (`failNext`, `hangNext`, `stallStreamNext`, ...); stream-only plans do
 * nothing to a non-stream answer. `setReply` and `setStreamFormat` hold until `reset()`.
 *
 * @example
 * const fake = new FakeCohereServer();
 * const { baseUrl } = await fake.start(); // http://127.0.0.1:PORT
 * fake.failNext(429, { headers: { 'retry-after': '7' } });
 * ...
 * await fake.close();
 */
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';
import {
  chatBody,
  cohereError,
  embedBody,
  failedEnd,
  type FakeCohereReply,
  streamEvents,
  usageBody,
} from './fake-cohere.payloads.js';
import {
  checkChatRequest,
  checkEmbedRequest,
  defaultErrorBody,
  unauthorized,
} from './fake-cohere.requests.js';
import { FakeSseWriter, type FakeStreamFormat } from './fake-sse.writer.js';

export {
  DEFAULT_COHERE_REPLY_TEXT,
  FAKE_GENERATION_ERROR,
  fakeCohereEmbedding,
} from './fake-cohere.payloads.js';
export type { FakeCohereReply, FakeCohereToolCall } from './fake-cohere.payloads.js';

export const FAKE_COHERE_API_KEY = 'co-fake-cohere-test-key';

export interface RecordedCohereRequest {
  readonly method: string;
  /** Path and query, e.g. `/v2/chat`. */
  readonly path: string;
  /** Lower-cased names, as Node reports them. */
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body, the raw text when it is not JSON, `undefined` when empty. */
  readonly body: unknown;
}

/** What the next request gets instead of the normal answer. */
export type FakeCoherePlan =
  /** Answer with this status and body (an object is sent as JSON, a string as is). */
  | {
      readonly kind: 'fail';
      readonly status: number;
      readonly body?: unknown;
      readonly headers?: Record<string, string>;
    }
  /** Never send headers; the request hangs until the client gives up. */
  | { readonly kind: 'hang' }
  /** Wait before the headers, then answer normally. */
  | { readonly kind: 'delay'; readonly ms: number }
  /** Stream: send headers and the first `afterEvents` events, then fall silent. */
  | { readonly kind: 'stall'; readonly afterEvents: number }
  /** Stream: after `afterEvents` events send `message-end` with finish_reason ERROR and end. */
  | { readonly kind: 'stream-error'; readonly afterEvents: number }
  /** Stream: every event but `message-end`; the body just ends. */
  | { readonly kind: 'no-finish' };

export interface FakeCohereOptions {
  /** The key callers must present. */
  readonly apiKey?: string;
}

export interface CohereClientDisconnect {
  readonly path: string;
  /** SSE events written before the client went away (0 when it left before any). */
  readonly eventsSent: number;
}

export class FakeCohereServer {
  private readonly apiKey: string;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly recorded: RecordedCohereRequest[] = [];
  private readonly disconnects: CohereClientDisconnect[] = [];
  private waiters: { ready: () => boolean; resolve: () => void }[] = [];
  private received = 0;
  private plans: FakeCoherePlan[] = [];
  private reply: FakeCohereReply | ((request: RecordedCohereRequest) => FakeCohereReply) = {};
  private format: FakeStreamFormat = {};
  private sequence = 0;
  private closing = false;
  private url: string | undefined;

  constructor(options: FakeCohereOptions = {}) {
    this.apiKey = options.apiKey ?? FAKE_COHERE_API_KEY;
    this.server = createServer({ noDelay: true }, (req, res) => {
      // A handler failure must not become an unhandled rejection in the test process.
      this.handle(req, res).catch(() => res.destroy());
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  /** Listens on 127.0.0.1, on a free port. */
  async start(): Promise<{ baseUrl: string }> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('fake did not bind');
    this.url = `http://127.0.0.1:${address.port}`;
    return { baseUrl: this.url };
  }

  /** `http://127.0.0.1:PORT`, once started (Cohere's paths start at `/v2`). */
  get baseUrl(): string {
    if (this.url === undefined) throw new Error('FakeCohereServer is not started');
    return this.url;
  }

  /** Drops every connection, hanging ones included, and stops listening. */
  async close(): Promise<void> {
    this.closing = true;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Every request received since start or `reset()`, in arrival order. */
  get requests(): readonly RecordedCohereRequest[] {
    return this.recorded;
  }

  /** The last request received. */
  get lastRequest(): RecordedCohereRequest | undefined {
    return this.recorded[this.recorded.length - 1];
  }

  /** Requests the client abandoned before the fake had finished answering. */
  get clientDisconnects(): readonly CohereClientDisconnect[] {
    return this.disconnects;
  }

  /** Resolves once `count` client disconnects in total have happened (since `reset()`). */
  waitForClientDisconnects(count = 1): Promise<void> {
    return this.waitUntil(() => this.disconnects.length >= count);
  }

  /** Resolves once `count` requests in total have arrived (since `reset()`), answered or not. */
  waitForRequests(count = 1): Promise<void> {
    return this.waitUntil(() => this.received >= count);
  }

  /** Queues a plan for each of the next `times` requests. */
  plan(plan: FakeCoherePlan, times = 1): this {
    for (let i = 0; i < times; i++) this.plans.push(plan);
    return this;
  }

  /** The next `times` requests fail with `status`; the body defaults to Cohere's `{id, message}`. */
  failNext(
    status: number,
    options: { body?: unknown; headers?: Record<string, string>; times?: number } = {},
  ): this {
    const body = options.body ?? defaultErrorBody(status);
    return this.plan({ kind: 'fail', status, body, headers: options.headers }, options.times);
  }

  /** The next request never gets an answer. */
  hangNext(): this {
    return this.plan({ kind: 'hang' });
  }

  /** The next request's headers come after `ms`. */
  delayNext(ms: number): this {
    return this.plan({ kind: 'delay', ms });
  }

  /** The next stream sends `afterEvents` events and then stays silent (for abort tests). */
  stallStreamNext(afterEvents = 1): this {
    return this.plan({ kind: 'stall', afterEvents });
  }

  /** The next stream ends with `message-end` ERROR after `afterEvents` events. */
  streamErrorNext(afterEvents = 3): this {
    return this.plan({ kind: 'stream-error', afterEvents });
  }

  /** The next stream ends without `message-end`. */
  omitMessageEndNext(): this {
    return this.plan({ kind: 'no-finish' });
  }

  /** What the assistant answers, fixed or computed per request, until `reset()`. */
  setReply(reply: FakeCohereReply | ((request: RecordedCohereRequest) => FakeCohereReply)): this {
    this.reply = reply;
    return this;
  }

  /** SSE quirks (split writes, CRLF, `data:` without space, keep-alives), until `reset()`. */
  setStreamFormat(format: FakeStreamFormat): this {
    this.format = { ...format };
    return this;
  }

  /** Forgets requests, disconnects, plans, reply and stream format. */
  reset(): void {
    this.recorded.length = 0;
    this.disconnects.length = 0;
    this.waiters = [];
    this.received = 0;
    this.plans = [];
    this.reply = {};
    this.format = {};
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = req.url ?? '/';
    const text = await readBody(req);
    const request: RecordedCohereRequest = {
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      body: parseBody(text),
    };
    this.recorded.push(request);
    this.received++;
    this.notify();
    const plan = this.plans.shift();
    const progress = { eventsSent: 0 };
    res.once('close', () => {
      if (!res.writableEnded && !this.closing) this.noteDisconnect(path, progress.eventsSent);
    });

    if (plan?.kind === 'hang') return;
    if (plan?.kind === 'delay') await sleep(plan.ms);
    if (plan?.kind === 'fail') {
      sendJson(res, plan.status, plan.body, plan.headers);
      return;
    }
    if (req.headers.authorization !== `Bearer ${this.apiKey}`) {
      sendJson(res, 401, unauthorized());
      return;
    }
    const route = `${request.method} ${path.split('?')[0]}`;
    if (
      request.method === 'POST' &&
      !/^application\/json\b/.test(req.headers['content-type'] ?? '')
    ) {
      sendJson(res, 400, cohereError('invalid request: content-type must be application/json'));
      return;
    }
    switch (route) {
      case 'POST /v2/chat':
        return this.chat(request, res, plan, progress);
      case 'POST /v2/embed':
        return this.embed(request, res);
      default:
        return sendJson(res, 404, cohereError(`no route for ${route}`));
    }
  }

  private async chat(
    request: RecordedCohereRequest,
    res: ServerResponse,
    plan: FakeCoherePlan | undefined,
    progress: { eventsSent: number },
  ): Promise<void> {
    const checked = checkChatRequest(request.body);
    if (!checked.ok) return sendJson(res, 400, checked.error);
    const reply = typeof this.reply === 'function' ? this.reply(request) : this.reply;
    const id = `fake-${String(++this.sequence).padStart(8, '0')}-cohere`;
    const usage = usageBody(reply, checked.value.body.messages);
    if (!checked.value.stream) return sendJson(res, 200, chatBody(reply, id, usage));

    const events = streamEvents(reply, id, usage);
    let frames = [...events.body, events.end];
    let stall = false;
    if (plan?.kind === 'no-finish') {
      frames = events.body;
    } else if (plan?.kind === 'stream-error') {
      frames = [...events.body.slice(0, plan.afterEvents), failedEnd()];
    } else if (plan?.kind === 'stall') {
      frames = frames.slice(0, plan.afterEvents);
      stall = true;
    }

    res.writeHead(200, { ...baseHeaders(), 'content-type': 'text/event-stream' });
    const writer = new FakeSseWriter(res, this.format);
    for (const frame of frames) {
      if (!(await writer.named(frame.type, JSON.stringify(frame)))) return;
      progress.eventsSent++;
    }
    if (stall) return;
    await writer.end();
  }

  private embed(request: RecordedCohereRequest, res: ServerResponse): void {
    const checked = checkEmbedRequest(request.body);
    if (!checked.ok) return sendJson(res, 400, checked.error);
    const id = `fake-${String(++this.sequence).padStart(8, '0')}-embed`;
    sendJson(res, 200, embedBody(checked.value.texts, checked.value.dimensions, id));
  }

  private noteDisconnect(path: string, eventsSent: number): void {
    this.disconnects.push({ path, eventsSent });
    this.notify();
  }

  private waitUntil(ready: () => boolean): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ ready, resolve }));
  }

  private notify(): void {
    const met = this.waiters.filter((w) => w.ready());
    this.waiters = this.waiters.filter((w) => !met.includes(w));
    for (const waiter of met) waiter.resolve();
  }
}

function baseHeaders(): Record<string, string> {
  return {
    'x-debug-trace-id': Math.random().toString(16).slice(2, 18),
    'x-endpoint-monthly-call-limit': '1000',
  };
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    ...baseHeaders(),
    'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
