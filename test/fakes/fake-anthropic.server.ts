/**
 * A real Anthropic Messages API on loopback, for adapter tests and e2e tests: `node:http`, no
 * mocking of the client, the wire format of wire-formats section 3 (checked against the official
 * `@anthropic-ai/sdk` in `fake-anthropic.server.spec.ts`).
 *
 * - `POST /v1/messages`: JSON, or named SSE events with `stream: true` (`message_start`, content
 *   blocks with `ping` after the first start, `message_delta` with the cumulative output tokens,
 *   `message_stop`; no `[DONE]`).
 * - `GET /v1/models`.
 * - `x-api-key` is checked (401 `authentication_error`), `anthropic-version` is required, and the
 *   body is judged as Anthropic judges it (`fake-anthropic.requests.ts`): 400
 *   `invalid_request_error` for a missing `max_tokens`, unknown fields, a system role in
 *   `messages`, non-alternating roles, a `tool_result` without its `tool_use`, ...
 *
 * Every request is recorded ({@link FakeAnthropicServer.requests}). Each request consumes the
 * next queued plan, if any (`failNext`, `hangNext`, `streamErrorNext`, ...); stream-only plans do
 * nothing to a non-stream answer. `setReply` and `setStreamFormat` hold until `reset()`.
 *
 * @example
 * const fake = new FakeAnthropicServer();
 * const { baseUrl } = await fake.start(); // http://127.0.0.1:PORT
 * fake.failNext(529); // overloaded_error
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
  anthropicError,
  type AnthropicErrorBody,
  defaultErrorBody,
  type FakeAnthropicReply,
  type FakeEvent,
  messageBody,
  modelsBody,
  requestId,
  streamEvents,
  usageBody,
} from './fake-anthropic.payloads.js';
import { checkHeaders, checkMessagesRequest } from './fake-anthropic.requests.js';
import { FakeSseWriter, type FakeStreamFormat } from './fake-sse.writer.js';

export { DEFAULT_REPLY_TEXT, anthropicError } from './fake-anthropic.payloads.js';
export type {
  AnthropicErrorBody,
  FakeAnthropicReply,
  FakeToolUse,
} from './fake-anthropic.payloads.js';

export const FAKE_ANTHROPIC_API_KEY = 'sk-ant-fake-anthropic-test-key';

export interface RecordedRequest {
  readonly method: string;
  /** Path and query, e.g. `/v1/messages`. */
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
  /** Stream: send headers and the first `afterEvents` events, then fall silent. */
  | { readonly kind: 'stall'; readonly afterEvents: number }
  /** Stream: after `afterEvents` events send an `event: error` and end. */
  | {
      readonly kind: 'stream-error';
      readonly afterEvents: number;
      readonly error?: AnthropicErrorBody;
    }
  /** Stream: content, but no `message_delta` nor `message_stop`; the body just ends. */
  | { readonly kind: 'no-finish' };

export interface FakeAnthropicOptions {
  /** The key callers must present. */
  readonly apiKey?: string;
}

export interface ClientDisconnect {
  readonly path: string;
  /** SSE events written before the client went away (0 when it left before any). */
  readonly eventsSent: number;
}

const DEFAULT_MODELS = ['claude-sonnet-4-5-20250929', 'claude-3-haiku-20240307'];

export class FakeAnthropicServer {
  private readonly apiKey: string;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly recorded: RecordedRequest[] = [];
  private readonly disconnects: ClientDisconnect[] = [];
  private waiters: { ready: () => boolean; resolve: () => void }[] = [];
  private received = 0;
  private plans: FakePlan[] = [];
  private reply: FakeAnthropicReply | ((request: RecordedRequest) => FakeAnthropicReply) = {};
  private format: FakeStreamFormat = {};
  private sequence = 0;
  private closing = false;
  private url: string | undefined;

  constructor(options: FakeAnthropicOptions = {}) {
    this.apiKey = options.apiKey ?? FAKE_ANTHROPIC_API_KEY;
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

  /** `http://127.0.0.1:PORT` (no `/v1`: like Anthropic's base URL), once started. */
  get baseUrl(): string {
    if (this.url === undefined) throw new Error('FakeAnthropicServer is not started');
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

  /**
   * The next `times` requests fail with `status`; the body defaults to Anthropic's envelope with
   * the error type of that status (529: `overloaded_error`).
   */
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

  /** The next stream sends an `error` event (default `overloaded_error`) after `afterEvents`. */
  streamErrorNext(afterEvents = 4, error?: AnthropicErrorBody): this {
    return this.plan({ kind: 'stream-error', afterEvents, error });
  }

  /** The next stream ends without `message_delta` and `message_stop`. */
  omitFinishNext(): this {
    return this.plan({ kind: 'no-finish' });
  }

  /** What the assistant answers, fixed or computed per request, until `reset()`. */
  setReply(reply: FakeAnthropicReply | ((request: RecordedRequest) => FakeAnthropicReply)): this {
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
    const request: RecordedRequest = {
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      body: parseBody(text),
      remotePort: req.socket.remotePort,
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
    const refused = checkHeaders(req.headers, this.apiKey);
    if (refused) return sendJson(res, refused.status, refused.body);
    const route = `${request.method} ${path.split('?')[0]}`;
    switch (route) {
      case 'POST /v1/messages':
        return this.messages(request, res, plan, progress);
      case 'GET /v1/models':
        return sendJson(res, 200, modelsBody(DEFAULT_MODELS));
      default:
        return sendJson(res, 404, anthropicError('not_found_error', 'Not found'));
    }
  }

  private async messages(
    request: RecordedRequest,
    res: ServerResponse,
    plan: FakePlan | undefined,
    progress: { eventsSent: number },
  ): Promise<void> {
    if (typeof request.body === 'string') {
      return sendJson(res, 400, anthropicError('invalid_request_error', 'Invalid JSON body'));
    }
    const checked = checkMessagesRequest(request.body, request.headers['content-type']);
    if (!checked.ok) return sendJson(res, checked.refusal.status, checked.refusal.body);
    const { body, model, stream } = checked.value;
    const reply = typeof this.reply === 'function' ? this.reply(request) : this.reply;
    const id = `msg_fake${String(++this.sequence).padStart(4, '0')}`;
    const usage = usageBody(reply, body);
    if (!stream) return sendJson(res, 200, messageBody(reply, id, model, usage));

    const events = streamEvents(reply, id, model, usage);
    let frames: FakeEvent[] = [...events.body, ...events.finish];
    let stall = false;
    if (plan?.kind === 'no-finish') {
      frames = [...events.body];
    } else if (plan?.kind === 'stream-error') {
      const error = plan.error ?? defaultErrorBody(529);
      frames = [
        ...events.body.slice(0, plan.afterEvents),
        { type: 'error', data: { type: 'error', error: error.error } },
      ];
    } else if (plan?.kind === 'stall') {
      frames = frames.slice(0, plan.afterEvents);
      stall = true;
    }

    res.writeHead(200, {
      ...baseHeaders(),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
    });
    const writer = new FakeSseWriter(res, this.format);
    for (const frame of frames) {
      if (!(await writer.named(frame.type, JSON.stringify(frame.data)))) return;
      progress.eventsSent++;
    }
    if (stall) return;
    await writer.end();
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
    'request-id': requestId(),
    'anthropic-organization-id': 'org-fake-0001',
    'anthropic-ratelimit-requests-limit': '50',
    'anthropic-ratelimit-requests-remaining': '49',
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
