/**
 * A real OpenAI API on loopback, for adapter tests, e2e tests and the bench: `node:http`, no
 * mocking of the client, the wire format of wire-formats section 1 (checked against the official
 * `openai` SDK in `fake-openai.server.spec.ts`).
 *
 * - `POST /v1/chat/completions`: JSON, or SSE with `stream: true` (role chunk, content or
 *   tool-call chunks, finish chunk, `usage: null` on each chunk plus a trailing `choices: []`
 *   usage chunk only when `stream_options.include_usage` is set, then `data: [DONE]`).
 * - `POST /v1/embeddings`: float or base64 ({@link fakeEmbedding} gives the exact values).
 * - `GET /v1/models`.
 * - `Authorization: Bearer <apiKey>` is checked (401 in OpenAI's envelope otherwise); unknown
 *   request fields are refused with 400, as OpenAI does.
 *
 * Every request is recorded ({@link FakeOpenAiServer.requests}). Each request consumes the next
 * queued plan, if any (`failNext`, `hangNext`, `stallStreamNext`, ...); stream-only plans do
 * nothing to a non-stream answer. `setReply` and `setStreamFormat` hold until `reset()`.
 *
 * @example
 * const fake = new FakeOpenAiServer();
 * const { baseUrl } = await fake.start(); // http://127.0.0.1:PORT/v1
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
  chatCompletionBody,
  chatStreamChunks,
  embeddingsBody,
  type FakeReply,
  modelsBody,
  openAiError,
  type OpenAiErrorBody,
  usageBody,
} from './fake-openai.payloads.js';
import {
  checkChatRequest,
  checkEmbeddingRequest,
  defaultErrorBody,
  serverError,
  unauthorized,
} from './fake-openai.requests.js';
import { FakeSseWriter, type FakeStreamFormat } from './fake-sse.writer.js';

export { fakeEmbedding, DEFAULT_REPLY_TEXT } from './fake-openai.payloads.js';
export type { FakeReply, FakeToolCall, OpenAiErrorBody } from './fake-openai.payloads.js';
export type { FakeStreamFormat } from './fake-sse.writer.js';

export const FAKE_OPENAI_API_KEY = 'sk-fake-openai-test-key';

export interface RecordedRequest {
  readonly method: string;
  /** Path and query, e.g. `/v1/chat/completions`. */
  readonly path: string;
  /** Lower-cased names, as Node reports them. */
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body, the raw text when it is not JSON, `undefined` when empty. */
  readonly body: unknown;
  /** The client's port: equal ports on two requests mean a reused keep-alive connection. */
  readonly remotePort: number | undefined;
}

/** What the next request gets instead of the normal answer. */
export type FakePlan =
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
  /** Stream: send headers and the first `afterChunks` chunks, then fall silent. */
  | { readonly kind: 'stall'; readonly afterChunks: number }
  /** Stream: after `afterChunks` chunks send a `data: {"error": ...}` frame and end. */
  | {
      readonly kind: 'stream-error';
      readonly afterChunks: number;
      readonly error?: OpenAiErrorBody;
    }
  /** Stream: content, but no finish chunk; the body just ends (with `[DONE]` if `sendDone`). */
  | { readonly kind: 'no-finish'; readonly sendDone?: boolean };

export interface FakeOpenAiOptions {
  /** The key callers must present. */
  readonly apiKey?: string;
  /** Turn off for load tests, so the fake does not keep every request in memory. */
  readonly recordRequests?: boolean;
}

export interface ClientDisconnect {
  readonly path: string;
  /** SSE chunks written before the client went away (0 when it left before any). */
  readonly chunksSent: number;
}

const DEFAULT_MODELS = ['gpt-4o', 'gpt-4o-mini', 'text-embedding-3-small'];

export class FakeOpenAiServer {
  private readonly apiKey: string;
  private readonly recordRequests: boolean;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly recorded: RecordedRequest[] = [];
  private readonly disconnects: ClientDisconnect[] = [];
  private waiters: { ready: () => boolean; resolve: () => void }[] = [];
  private received = 0;
  private plans: FakePlan[] = [];
  private reply: FakeReply | ((request: RecordedRequest) => FakeReply) = {};
  private format: FakeStreamFormat = {};
  private models: readonly string[] = DEFAULT_MODELS;
  private sequence = 0;
  private closing = false;
  private url: string | undefined;

  constructor(options: FakeOpenAiOptions = {}) {
    this.apiKey = options.apiKey ?? FAKE_OPENAI_API_KEY;
    this.recordRequests = options.recordRequests ?? true;
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
    this.url = `http://127.0.0.1:${address.port}/v1`;
    return { baseUrl: this.url };
  }

  /** `http://127.0.0.1:PORT/v1`, once started. */
  get baseUrl(): string {
    if (this.url === undefined) throw new Error('FakeOpenAiServer is not started');
    return this.url;
  }

  /** Drops every connection, hanging ones included, and stops listening. */
  async close(): Promise<void> {
    this.closing = true;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Every request received since start or `reset()`, in arrival order. */
  get requests(): readonly RecordedRequest[] {
    return this.recorded;
  }

  /** The last request received. */
  get lastRequest(): RecordedRequest | undefined {
    return this.recorded[this.recorded.length - 1];
  }

  /** Requests the client abandoned before the fake had finished answering. */
  get clientDisconnects(): readonly ClientDisconnect[] {
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
  plan(plan: FakePlan, times = 1): this {
    for (let i = 0; i < times; i++) this.plans.push(plan);
    return this;
  }

  /** The next `times` requests fail with `status`; the body defaults to OpenAI's envelope. */
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

  /** The next stream sends `afterChunks` chunks and then stays silent (for abort tests). */
  stallStreamNext(afterChunks = 1): this {
    return this.plan({ kind: 'stall', afterChunks });
  }

  /** The next stream reports an error frame after `afterChunks` chunks. */
  streamErrorNext(afterChunks = 2, error?: OpenAiErrorBody): this {
    return this.plan({ kind: 'stream-error', afterChunks, error });
  }

  /** The next stream ends without any finish_reason. */
  omitFinishReasonNext(options: { sendDone?: boolean } = {}): this {
    return this.plan({ kind: 'no-finish', sendDone: options.sendDone });
  }

  /** What the assistant answers, fixed or computed per request, until `reset()`. */
  setReply(reply: FakeReply | ((request: RecordedRequest) => FakeReply)): this {
    this.reply = reply;
    return this;
  }

  /** SSE quirks (split writes, CRLF, `data:` without space, keep-alives), until `reset()`. */
  setStreamFormat(format: FakeStreamFormat): this {
    this.format = { ...format };
    return this;
  }

  /** The ids `GET /v1/models` lists. */
  setModels(ids: readonly string[]): this {
    this.models = [...ids];
    return this;
  }

  /** Forgets requests, disconnects, plans, reply, stream format and models. */
  reset(): void {
    this.recorded.length = 0;
    this.disconnects.length = 0;
    this.waiters = [];
    this.received = 0;
    this.plans = [];
    this.reply = {};
    this.format = {};
    this.models = DEFAULT_MODELS;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = req.url ?? '/';
    const text = await readBody(req);
    const request: RecordedRequest = {
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      body: parseBody(text),
      remotePort: req.socket.remotePort,
    };
    if (this.recordRequests) this.recorded.push(request);
    this.received++;
    this.notify();
    const plan = this.plans.shift();
    const progress = { chunksSent: 0 };
    res.once('close', () => {
      if (!res.writableEnded && !this.closing) this.noteDisconnect(path, progress.chunksSent);
    });

    if (plan?.kind === 'hang') return;
    if (plan?.kind === 'delay') await sleep(plan.ms);
    if (plan?.kind === 'fail') {
      sendJson(res, plan.status, plan.body, plan.headers);
      return;
    }
    const auth = req.headers.authorization;
    if (auth !== `Bearer ${this.apiKey}`) {
      sendJson(res, 401, unauthorized(auth));
      return;
    }
    const route = `${request.method} ${path.split('?')[0]}`;
    switch (route) {
      case 'POST /v1/chat/completions':
        return this.chat(request, res, plan, progress);
      case 'POST /v1/embeddings':
        return this.embeddings(request, res);
      case 'GET /v1/models':
        return sendJson(res, 200, modelsBody(this.models));
      default:
        return sendJson(res, 404, openAiError(`Invalid URL (${route})`));
    }
  }

  private async chat(
    request: RecordedRequest,
    res: ServerResponse,
    plan: FakePlan | undefined,
    progress: { chunksSent: number },
  ): Promise<void> {
    const checked = checkChatRequest(request.body);
    if (!checked.ok) return sendJson(res, 400, checked.error);
    const { body, model, stream, includeUsage } = checked.value;
    const reply = typeof this.reply === 'function' ? this.reply(request) : this.reply;
    const id = `chatcmpl-fake${++this.sequence}`;
    const usage = usageBody(reply, body);
    if (!stream) return sendJson(res, 200, chatCompletionBody(reply, id, model, usage));

    const chunks = chatStreamChunks(reply, id, model, usage, includeUsage);
    let frames: unknown[] = [
      ...chunks.body,
      chunks.finish,
      ...(chunks.usage ? [chunks.usage] : []),
    ];
    let done = true;
    let stall = false;
    if (plan?.kind === 'no-finish') {
      frames = [...chunks.body];
      done = plan.sendDone === true;
    } else if (plan?.kind === 'stream-error') {
      frames = [...chunks.body.slice(0, plan.afterChunks), plan.error ?? serverError()];
      done = false;
    } else if (plan?.kind === 'stall') {
      frames = frames.slice(0, plan.afterChunks);
      done = false;
      stall = true;
    }

    res.writeHead(200, { ...baseHeaders(), 'content-type': 'text/event-stream; charset=utf-8' });
    const writer = new FakeSseWriter(res, this.format);
    for (const frame of frames) {
      if (!(await writer.event(JSON.stringify(frame)))) return;
      progress.chunksSent++;
    }
    if (stall) return;
    if (done && !(await writer.event('[DONE]'))) return;
    await writer.end();
  }

  private embeddings(request: RecordedRequest, res: ServerResponse): void {
    const checked = checkEmbeddingRequest(request.body);
    if (!checked.ok) return sendJson(res, 400, checked.error);
    const { inputs, model, dimensions, base64 } = checked.value;
    sendJson(res, 200, embeddingsBody(inputs, model, dimensions, base64));
  }

  private noteDisconnect(path: string, chunksSent: number): void {
    this.disconnects.push({ path, chunksSent });
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
    'x-request-id': `req_fake${Math.random().toString(16).slice(2, 10)}`,
    'openai-processing-ms': '1',
    'openai-version': '2020-10-01',
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
