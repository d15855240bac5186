/**
 * What every fake upstream does the same way, whatever its vendor: listen on loopback and drop
 * every connection on close, read and record each request, hand it the next queued plan, note the
 * requests a client abandoned, and let a test wait for either. A vendor's fake extends
 * {@link FakeUpstreamServer} (Bedrock) or {@link FakeApiKeyUpstreamServer} (the vendors reached at
 * a base URL with an API key) and keeps only its wire format and rules: what it records of a
 * request, how it answers one and how it streams.
 *
 * A plan is consumed by the request it reaches, answered or not: `hang` and `delay` are carried
 * out by {@link FakeUpstreamServer}, `fail` by {@link FakeApiKeyUpstreamServer}, every other plan
 * by the vendor's answer (stream-only plans do nothing to a JSON answer).
 */
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';
import { pause } from './fake-upstream.stream.js';

/** What a vendor's fake speaks: the types its public API takes and gives. */
export interface FakeVocabulary {
  /** What it records of each request (`requests`, the argument of a computed reply). */
  readonly request: { readonly path: string };
  /** What a test can queue for the next requests (`plan`); must include {@link FakeHangPlan}. */
  readonly plan: { readonly kind: string };
  /** What the model answers (`setReply`); all optional, `{}` is the default answer. */
  readonly reply: object;
  /** How streams are framed (`setStreamFormat`); all optional, `{}` is the vendor's own framing. */
  readonly format: object;
  /** What it notes of a request the client abandoned (`clientDisconnects`). */
  readonly disconnect: { readonly path: string };
}

/** What most fakes record of a request. */
export interface FakeRecordedRequest {
  readonly method: string;
  /** Path and query, as sent. */
  readonly path: string;
  /** Lower-cased names, as Node reports them. */
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body, the raw text when it is not JSON, `undefined` when empty. */
  readonly body: unknown;
  /** The client's port: equal ports on two requests mean a reused keep-alive connection. */
  readonly remotePort: number | undefined;
}

/** Answer with this status and body (an object is sent as JSON, a string as is). */
export type FakeFailPlan = {
  readonly kind: 'fail';
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
};

/** Never send headers; the request hangs until the client gives up. */
export type FakeHangPlan = { readonly kind: 'hang' };

/** Wait before the headers, then answer normally. */
export type FakeDelayPlan = { readonly kind: 'delay'; readonly ms: number };

export interface FakeUpstreamOptions {
  /** Turn off for load tests, so the fake does not keep every request in memory. */
  readonly recordRequests?: boolean;
}

/** How far the answer to one request got: what a disconnect note reports. */
export interface FakeProgress {
  /** Stream frames (SSE events or chunks, event-stream messages) written so far. */
  framesSent: number;
  /** Set when the fake itself drops the connection: that is no client disconnect. */
  closedByFake: boolean;
}

/** One request as the vendor's answer sees it. */
export interface FakeExchange<V extends FakeVocabulary> {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** The body as it arrived, for what must see the very bytes (a signature). */
  readonly raw: Buffer;
  /** What was recorded of it. */
  readonly request: V['request'];
  /** The plan it consumed, if any. */
  readonly plan: V['plan'] | undefined;
  /** Count the stream frames written here. */
  readonly progress: FakeProgress;
}

export abstract class FakeUpstreamServer<V extends FakeVocabulary> {
  /** The `content-type` of a JSON answer. */
  protected readonly jsonContentType: string = 'application/json';
  private readonly recordRequests: boolean;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly recorded: V['request'][] = [];
  private readonly disconnects: V['disconnect'][] = [];
  private waiters: { ready: () => boolean; resolve: () => void }[] = [];
  private received = 0;
  private plans: V['plan'][] = [];
  private reply: V['reply'] | ((request: V['request']) => V['reply']) = {};
  private streamFormat: V['format'] = {};
  private closing = false;
  private port: number | undefined;

  protected constructor(options: FakeUpstreamOptions = {}) {
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

  /** Drops every connection, hanging ones included, and stops listening. */
  async close(): Promise<void> {
    this.closing = true;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Every request received since start or `reset()`, in arrival order. */
  get requests(): readonly V['request'][] {
    return this.recorded;
  }

  /** The last request received. */
  get lastRequest(): V['request'] | undefined {
    return this.recorded[this.recorded.length - 1];
  }

  /** Requests the client abandoned before the fake had finished answering. */
  get clientDisconnects(): readonly V['disconnect'][] {
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
  plan(plan: V['plan'], times = 1): this {
    for (let i = 0; i < times; i++) this.plans.push(plan);
    return this;
  }

  /** The next request never gets an answer. */
  hangNext(): this {
    const plan: FakeHangPlan = { kind: 'hang' };
    return this.plan(plan);
  }

  /** What the model answers, fixed or computed per request, until `reset()`. */
  setReply(reply: V['reply'] | ((request: V['request']) => V['reply'])): this {
    this.reply = reply;
    return this;
  }

  /** Stream quirks (split writes, CRLF, ...), until `reset()`. */
  setStreamFormat(format: V['format']): this {
    this.streamFormat = { ...format };
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
    this.streamFormat = {};
  }

  /** Listens on 127.0.0.1, on a free port; resolves to `http://127.0.0.1:PORT`. */
  protected async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('fake did not bind');
    this.port = address.port;
    return this.origin;
  }

  /** `http://127.0.0.1:PORT`, once started. */
  protected get origin(): string {
    if (this.port === undefined) throw new Error(`${this.constructor.name} is not started`);
    return `http://127.0.0.1:${this.port}`;
  }

  /** The stream format set by the test (`{}` unless set). */
  protected get format(): V['format'] {
    return this.streamFormat;
  }

  /** The reply set by the test, computed for `request` when it is a function. */
  protected replyFor(request: V['request']): V['reply'] {
    return typeof this.reply === 'function' ? this.reply(request) : this.reply;
  }

  /**
   * Answers with the whole body at once: an object as JSON, a string as is (`text/plain`), after
   * the vendor's {@link answerHeaders}; `headers` come last and win.
   */
  protected sendJson(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      ...this.answerHeaders(),
      'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : this.jsonContentType,
      'content-length': String(Buffer.byteLength(text)),
      ...headers,
    });
    res.end(text);
  }

  /** What the fake records of a request (`raw` is its whole body). */
  protected abstract record(req: IncomingMessage, raw: Buffer): V['request'];

  /** The note kept when a client abandons the request at `path` after `framesSent` frames. */
  protected abstract disconnectNote(path: string, framesSent: number): V['disconnect'];

  /** The headers the vendor puts on every JSON answer. */
  protected abstract answerHeaders(): Record<string, string>;

  /** Answers a recorded request that no `hang` plan holds, once any `delay` has passed. */
  protected abstract answer(exchange: FakeExchange<V>): Promise<void> | void;

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const request = this.record(req, raw);
    if (this.recordRequests) this.recorded.push(request);
    this.received++;
    this.notify();
    const plan = this.plans.shift();
    const progress: FakeProgress = { framesSent: 0, closedByFake: false };
    res.once('close', () => {
      if (!res.writableEnded && !this.closing && !progress.closedByFake) {
        this.disconnects.push(this.disconnectNote(request.path, progress.framesSent));
        this.notify();
      }
    });

    if (plan?.kind === 'hang') return;
    if (isDelay(plan)) await pause(plan.ms);
    await this.answer({ req, res, raw, request, plan, progress });
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

/**
 * A fake of an API reached at a base URL with an API key (OpenAI, Anthropic, Cohere, Gemini): its
 * failures are a status with the vendor's JSON error envelope (`failNext`), answered before any
 * check of the key, and a test can delay its answers (`delayNext`). Its plans must include
 * {@link FakeFailPlan} and {@link FakeDelayPlan}.
 */
export abstract class FakeApiKeyUpstreamServer<
  V extends FakeVocabulary,
> extends FakeUpstreamServer<V> {
  protected constructor(
    /** The key callers must present. */
    readonly apiKey: string,
    options: FakeUpstreamOptions = {},
  ) {
    super(options);
  }

  /** Listens on 127.0.0.1, on a free port. */
  async start(): Promise<{ baseUrl: string }> {
    await this.listen();
    return { baseUrl: this.baseUrl };
  }

  /** What the vendor's SDK takes as its base URL, once started (`http://127.0.0.1:PORT`). */
  get baseUrl(): string {
    return this.origin;
  }

  /**
   * The next `times` requests fail with `status`; the body defaults to the vendor's envelope for
   * that status ({@link defaultErrorBody}).
   */
  failNext(
    status: number,
    options: { body?: unknown; headers?: Record<string, string>; times?: number } = {},
  ): this {
    const body = options.body ?? this.defaultErrorBody(status);
    const plan: FakeFailPlan = { kind: 'fail', status, body, headers: options.headers };
    return this.plan(plan, options.times);
  }

  /** The next request's headers come after `ms`. */
  delayNext(ms: number): this {
    const plan: FakeDelayPlan = { kind: 'delay', ms };
    return this.plan(plan);
  }

  /** The body the vendor answers `status` with. */
  protected abstract defaultErrorBody(status: number): unknown;

  /** Answers a request that no plan fails: the vendor's checks, routes and answers. */
  protected abstract serve(exchange: FakeExchange<V>): Promise<void> | void;

  protected answer(exchange: FakeExchange<V>): Promise<void> | void {
    const { res, plan } = exchange;
    if (isFail(plan)) return this.sendJson(res, plan.status, plan.body, plan.headers);
    return this.serve(exchange);
  }
}

/** Writes `frames` in order, counting them into `progress`; false once the client has gone away. */
export async function writeFrames<F>(
  frames: readonly F[],
  write: (frame: F) => Promise<boolean>,
  progress: FakeProgress,
): Promise<boolean> {
  for (const frame of frames) {
    if (!(await write(frame))) return false;
    progress.framesSent++;
  }
  return true;
}

/** Records a request the way {@link FakeRecordedRequest} says. */
export function recordRequest(req: IncomingMessage, raw: Buffer): FakeRecordedRequest {
  return {
    method: req.method ?? 'GET',
    path: req.url ?? '/',
    headers: req.headers,
    body: parseBody(raw),
    remotePort: req.socket.remotePort,
  };
}

/** The parsed JSON body, the raw text when it is not JSON, `undefined` when empty. */
export function parseBody(raw: Buffer): unknown {
  const text = raw.toString('utf8');
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function isFail(plan: { readonly kind: string } | undefined): plan is FakeFailPlan {
  return plan?.kind === 'fail';
}

function isDelay(plan: { readonly kind: string } | undefined): plan is FakeDelayPlan {
  return plan?.kind === 'delay';
}
