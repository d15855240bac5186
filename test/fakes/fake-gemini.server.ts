/**
 * A real Gemini (Generative Language API, v1beta) on loopback, for adapter tests and e2e tests:
 * `node:http`, no mocking of the client, the wire format of wire-formats section 4 (checked
 * against the official `@google/genai` SDK in `fake-gemini.server.spec.ts`).
 *
 * - `POST /v1beta/models/{model}:generateContent`: one JSON answer.
 * - `POST /v1beta/models/{model}:streamGenerateContent?alt=sse`: `data: {...}\r\n\r\n` events, no
 *   `[DONE]`, the body just ends (without `alt=sse`: one JSON array of the same chunks).
 * - `POST /v1beta/models/{model}:embedContent` and `:batchEmbedContents` ({@link
 *   fakeGeminiEmbedding} gives the exact values).
 * - `GET /v1beta/models`.
 * - `x-goog-api-key` (or `?key=`) is checked: 403 without a key, 400 `API_KEY_INVALID` with a
 *   wrong one, as Google answers. Requests are judged as Gemini judges them (see
 *   `fake-gemini.requests.ts`), thought signatures included: the fake remembers the ones it issued.
 *
 * Every request is recorded ({@link FakeGeminiServer.requests}). Each request consumes the next
 * queued plan, if any (`failNext`, `hangNext`, `stallStreamNext`, ...); stream-only plans do
 * nothing to a non-stream answer. `setReply` and `setStreamFormat` hold until `reset()`.
 *
 * @example
 * const fake = new FakeGeminiServer();
 * const { baseUrl } = await fake.start(); // http://127.0.0.1:PORT/v1beta
 * fake.failNext(429); // RESOURCE_EXHAUSTED with RetryInfo 34.4s
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import {
  apiKeyInvalid,
  defaultErrorBody,
  fakeGeminiEmbedding,
  type FakeGeminiReply,
  generateContentBody,
  googleError,
  type GoogleErrorBody,
  internalError,
  resolveReply,
  streamChunks,
  unregisteredCaller,
  withoutFinish,
} from './fake-gemini.payloads.js';
import {
  checkBatchEmbedRequest,
  checkEmbedRequest,
  checkGenerateRequest,
} from './fake-gemini.requests.js';
import {
  type ClientDisconnect,
  type FakeGeminiOptions,
  type FakeGeminiPlan,
  parseBody,
  readBody,
  type RecordedGeminiRequest,
  sendJson,
  sleep,
} from './fake-gemini.http.js';
import { FakeSseWriter, type FakeStreamFormat } from './fake-sse.writer.js';

export {
  apiKeyInvalid,
  DEFAULT_GEMINI_TEXT,
  fakeGeminiEmbedding,
  googleError,
  mintSignature,
  retryInfo,
} from './fake-gemini.payloads.js';
export type {
  FakeGeminiFunctionCall,
  FakeGeminiReply,
  FakeGeminiUsage,
  GoogleErrorBody,
} from './fake-gemini.payloads.js';
export { SKIP_SIGNATURE } from './fake-gemini.requests.js';
export type {
  ClientDisconnect,
  FakeGeminiOptions,
  FakeGeminiPlan,
  RecordedGeminiRequest,
} from './fake-gemini.http.js';

export const FAKE_GEMINI_API_KEY = 'AIzaFakeGeminiTestKey0123456789';

const ROUTE = /^\/v1beta\/models\/([^/:]+):([A-Za-z]+)$/;
const DEFAULT_MODELS = [
  'gemini-2.0-flash',
  'gemini-2.5-flash',
  'gemini-3-pro-preview',
  'gemini-embedding-001',
];

export class FakeGeminiServer {
  private readonly apiKey: string;
  private readonly recordRequests: boolean;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly recorded: RecordedGeminiRequest[] = [];
  private readonly disconnects: ClientDisconnect[] = [];
  private readonly issuedSignatures = new Set<string>();
  private waiters: { ready: () => boolean; resolve: () => void }[] = [];
  private received = 0;
  private plans: FakeGeminiPlan[] = [];
  private reply: FakeGeminiReply | ((request: RecordedGeminiRequest) => FakeGeminiReply) = {};
  private format: FakeStreamFormat = {};
  private sequence = 0;
  private closing = false;
  private port: number | undefined;

  constructor(options: FakeGeminiOptions = {}) {
    this.apiKey = options.apiKey ?? FAKE_GEMINI_API_KEY;
    this.recordRequests = options.recordRequests ?? true;
    this.server = createServer({ noDelay: true }, (req, res) => {
      this.handle(req, res).catch(() => res.destroy());
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  /** Listens on 127.0.0.1, on a free port. `origin` is what the SDK takes as its base URL. */
  async start(): Promise<{ baseUrl: string; origin: string }> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('fake did not bind');
    this.port = address.port;
    return { baseUrl: this.baseUrl, origin: this.origin };
  }

  /** `http://127.0.0.1:PORT`, once started. */
  get origin(): string {
    if (this.port === undefined) throw new Error('FakeGeminiServer is not started');
    return `http://127.0.0.1:${this.port}`;
  }

  /** `http://127.0.0.1:PORT/v1beta`: the gateway's `GEMINI_BASE_URL`. */
  get baseUrl(): string {
    return `${this.origin}/v1beta`;
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  get requests(): readonly RecordedGeminiRequest[] {
    return this.recorded;
  }

  get lastRequest(): RecordedGeminiRequest | undefined {
    return this.recorded[this.recorded.length - 1];
  }

  /** Requests the client abandoned before the fake had finished answering. */
  get clientDisconnects(): readonly ClientDisconnect[] {
    return this.disconnects;
  }

  /** Thought signatures the fake has put on function calls since `reset()`. */
  get signatures(): ReadonlySet<string> {
    return this.issuedSignatures;
  }

  waitForClientDisconnects(count = 1): Promise<void> {
    return this.waitUntil(() => this.disconnects.length >= count);
  }

  waitForRequests(count = 1): Promise<void> {
    return this.waitUntil(() => this.received >= count);
  }

  plan(plan: FakeGeminiPlan, times = 1): this {
    for (let i = 0; i < times; i++) this.plans.push(plan);
    return this;
  }

  /** The next `times` requests fail with `status`; the body defaults to Google's envelope. */
  failNext(
    status: number,
    options: { body?: unknown; headers?: Record<string, string>; times?: number } = {},
  ): this {
    const body = options.body ?? defaultErrorBody(status);
    return this.plan({ kind: 'fail', status, body, headers: options.headers }, options.times);
  }

  hangNext(): this {
    return this.plan({ kind: 'hang' });
  }

  delayNext(ms: number): this {
    return this.plan({ kind: 'delay', ms });
  }

  stallStreamNext(afterChunks = 1): this {
    return this.plan({ kind: 'stall', afterChunks });
  }

  streamErrorNext(afterChunks = 2, error?: GoogleErrorBody): this {
    return this.plan({ kind: 'stream-error', afterChunks, error });
  }

  cutStreamNext(afterChunks = 2): this {
    return this.plan({ kind: 'cut', afterChunks });
  }

  omitFinishReasonNext(): this {
    return this.plan({ kind: 'no-finish' });
  }

  /** What the model answers, fixed or computed per request, until `reset()`. */
  setReply(reply: FakeGeminiReply | ((request: RecordedGeminiRequest) => FakeGeminiReply)): this {
    this.reply = reply;
    return this;
  }

  /** SSE quirks on top of Google's CRLF framing, until `reset()`. */
  setStreamFormat(format: FakeStreamFormat): this {
    this.format = { ...format };
    return this;
  }

  /** Forgets requests, disconnects, plans, reply, stream format and issued signatures. */
  reset(): void {
    this.recorded.length = 0;
    this.disconnects.length = 0;
    this.issuedSignatures.clear();
    this.waiters = [];
    this.received = 0;
    this.plans = [];
    this.reply = {};
    this.format = {};
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = req.url ?? '/';
    const text = await readBody(req);
    const [pathname, search = ''] = path.split('?');
    const route = ROUTE.exec(pathname);
    const request: RecordedGeminiRequest = {
      method: req.method ?? 'GET',
      path,
      model: route ? decodeURIComponent(route[1]) : undefined,
      rpc: route?.[2],
      headers: req.headers,
      body: parseBody(text),
      remotePort: req.socket.remotePort,
    };
    if (this.recordRequests) this.recorded.push(request);
    this.received++;
    this.notify();
    const plan = this.plans.shift();
    const progress = { chunksSent: 0, cut: false };
    res.once('close', () => {
      if (!res.writableEnded && !this.closing && !progress.cut) {
        this.noteDisconnect(path, progress.chunksSent);
      }
    });

    if (plan?.kind === 'hang') return;
    if (plan?.kind === 'delay') await sleep(plan.ms);
    if (plan?.kind === 'fail') return sendJson(res, plan.status, plan.body, plan.headers);

    const query = new URLSearchParams(search);
    const key = req.headers['x-goog-api-key'] ?? query.get('key') ?? undefined;
    if (key === undefined || key === '') return sendJson(res, 403, unregisteredCaller());
    if (key !== this.apiKey) return sendJson(res, 400, apiKeyInvalid());

    if (request.method === 'GET' && pathname === '/v1beta/models') {
      return sendJson(res, 200, {
        models: DEFAULT_MODELS.map((id) => ({
          name: `models/${id}`,
          displayName: id,
          supportedGenerationMethods: id.includes('embedding')
            ? ['embedContent', 'batchEmbedContents']
            : ['generateContent', 'countTokens'],
        })),
      });
    }
    const model = request.model;
    const rpc = request.rpc ?? '';
    const embedding = rpc === 'embedContent' || rpc === 'batchEmbedContents';
    const chat = rpc === 'generateContent' || rpc === 'streamGenerateContent';
    if (request.method !== 'POST' || model === undefined || (!embedding && !chat)) {
      return sendJson(res, 404, googleError(404, 'NOT_FOUND', 'Method not found.'));
    }
    if (model.includes('embedding') !== embedding) {
      return sendJson(
        res,
        404,
        googleError(
          404,
          'NOT_FOUND',
          `models/${model} is not found for API version v1beta, or is not supported for ${rpc}. Call ListModels to see the list of available models and their supported methods.`,
        ),
      );
    }
    if (embedding) return this.embed(request, res, model, rpc);
    return this.generate(request, res, model, plan, progress, query.get('alt') === 'sse');
  }

  private async generate(
    request: RecordedGeminiRequest,
    res: ServerResponse,
    model: string,
    plan: FakeGeminiPlan | undefined,
    progress: { chunksSent: number; cut: boolean },
    sse: boolean,
  ): Promise<void> {
    const checked = checkGenerateRequest(request.body, this.issuedSignatures);
    if (!checked.ok) return sendJson(res, 400, checked.error);
    const reply = typeof this.reply === 'function' ? this.reply(request) : this.reply;
    const resolved = resolveReply(reply, model, request.body, `fakeResp${++this.sequence}`);
    for (const call of resolved.functionCalls) {
      if (call.thoughtSignature) this.issuedSignatures.add(call.thoughtSignature);
    }
    if (request.rpc === 'generateContent') return sendJson(res, 200, generateContentBody(resolved));

    let chunks = streamChunks(resolved);
    if (!sse) return sendJson(res, 200, chunks);
    let tail: 'end' | 'error' | 'cut' | 'stall' = 'end';
    if (plan?.kind === 'no-finish') chunks = withoutFinish(chunks);
    if (plan?.kind === 'stream-error' || plan?.kind === 'cut' || plan?.kind === 'stall') {
      chunks = chunks.slice(0, plan.afterChunks);
      tail = plan.kind === 'stream-error' ? 'error' : plan.kind;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'x-content-type-options': 'nosniff',
      server: 'scaffolding on HTTPServer2',
    });
    // Google frames every event with CRLF line ends.
    const writer = new FakeSseWriter(res, { crlf: true, ...this.format });
    for (const chunk of chunks) {
      if (!(await writer.event(JSON.stringify(chunk)))) return;
      progress.chunksSent++;
    }
    if (tail === 'stall') return;
    if (tail === 'cut') {
      progress.cut = true;
      // Flush what was written, then close the connection without ending the chunked body.
      res.socket?.end();
      return;
    }
    if (tail === 'error') {
      const error =
        plan?.kind === 'stream-error' ? (plan.error ?? internalError()) : internalError();
      if (!(await writer.event(JSON.stringify(error)))) return;
    }
    await writer.end();
  }

  private embed(
    request: RecordedGeminiRequest,
    res: ServerResponse,
    model: string,
    rpc: string,
  ): void {
    const checked =
      rpc === 'embedContent'
        ? checkEmbedRequest(request.body)
        : checkBatchEmbedRequest(request.body, model);
    if (!checked.ok) return sendJson(res, 400, checked.error);
    const { texts, dimensions } = checked.value;
    const vectors = texts.map((t) => ({ values: fakeGeminiEmbedding(t, dimensions) }));
    sendJson(
      res,
      200,
      rpc === 'embedContent' ? { embedding: vectors[0] } : { embeddings: vectors },
    );
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
