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
import type { IncomingMessage } from 'node:http';
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
import type {
  ClientDisconnect,
  FakeGeminiOptions,
  FakeGeminiPlan,
  RecordedGeminiRequest,
} from './fake-gemini.http.js';
import { FakeSseWriter, type FakeStreamFormat } from './fake-sse.writer.js';
import {
  FakeApiKeyUpstreamServer,
  type FakeExchange,
  parseBody,
  writeFrames,
} from './fake-upstream.server.js';

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

interface GeminiVocabulary {
  readonly request: RecordedGeminiRequest;
  readonly plan: FakeGeminiPlan;
  readonly reply: FakeGeminiReply;
  readonly format: FakeStreamFormat;
  readonly disconnect: ClientDisconnect;
}

const ROUTE = /^\/v1beta\/models\/([^/:]+):([A-Za-z]+)$/;
const DEFAULT_MODELS = [
  'gemini-2.0-flash',
  'gemini-2.5-flash',
  'gemini-3-pro-preview',
  'gemini-embedding-001',
];

export class FakeGeminiServer extends FakeApiKeyUpstreamServer<GeminiVocabulary> {
  protected override readonly jsonContentType = 'application/json; charset=UTF-8';
  private readonly issuedSignatures = new Set<string>();
  private sequence = 0;

  constructor(options: FakeGeminiOptions = {}) {
    super(options.apiKey ?? FAKE_GEMINI_API_KEY, options);
  }

  /** Listens on 127.0.0.1, on a free port. `origin` is what the SDK takes as its base URL. */
  override async start(): Promise<{ baseUrl: string; origin: string }> {
    await this.listen();
    return { baseUrl: this.baseUrl, origin: this.origin };
  }

  /** `http://127.0.0.1:PORT`, once started. */
  override get origin(): string {
    return super.origin;
  }

  /** `http://127.0.0.1:PORT/v1beta`: the gateway's `GEMINI_BASE_URL`. */
  override get baseUrl(): string {
    return `${this.origin}/v1beta`;
  }

  /** Thought signatures the fake has put on function calls since `reset()`. */
  get signatures(): ReadonlySet<string> {
    return this.issuedSignatures;
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

  /** Forgets requests, disconnects, plans, reply, stream format and issued signatures. */
  override reset(): void {
    super.reset();
    this.issuedSignatures.clear();
  }

  protected record(req: IncomingMessage, raw: Buffer): RecordedGeminiRequest {
    const path = req.url ?? '/';
    const route = ROUTE.exec(path.split('?')[0]);
    return {
      method: req.method ?? 'GET',
      path,
      model: route ? decodeURIComponent(route[1]) : undefined,
      rpc: route?.[2],
      headers: req.headers,
      body: parseBody(raw),
      remotePort: req.socket.remotePort,
    };
  }

  protected disconnectNote(path: string, chunksSent: number): ClientDisconnect {
    return { path, chunksSent };
  }

  protected answerHeaders(): Record<string, string> {
    return { server: 'scaffolding on HTTPServer2' };
  }

  /** Google's envelope (429: `RESOURCE_EXHAUSTED` with RetryInfo 34.4s). */
  protected defaultErrorBody(status: number): GoogleErrorBody {
    return defaultErrorBody(status);
  }

  protected serve(exchange: FakeExchange<GeminiVocabulary>): Promise<void> | void {
    const { req, res, request } = exchange;

    const [pathname, search = ''] = request.path.split('?');
    const query = new URLSearchParams(search);
    const key = req.headers['x-goog-api-key'] ?? query.get('key') ?? undefined;
    if (key === undefined || key === '') return this.sendJson(res, 403, unregisteredCaller());
    if (key !== this.apiKey) return this.sendJson(res, 400, apiKeyInvalid());

    if (request.method === 'GET' && pathname === '/v1beta/models') {
      return this.sendJson(res, 200, {
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
      return this.sendJson(res, 404, googleError(404, 'NOT_FOUND', 'Method not found.'));
    }
    if (model.includes('embedding') !== embedding) {
      return this.sendJson(
        res,
        404,
        googleError(
          404,
          'NOT_FOUND',
          `models/${model} is not found for API version v1beta, or is not supported for ${rpc}. Call ListModels to see the list of available models and their supported methods.`,
        ),
      );
    }
    if (embedding) return this.embed(exchange, model, rpc);
    return this.generate(exchange, model, query.get('alt') === 'sse');
  }

  private async generate(
    exchange: FakeExchange<GeminiVocabulary>,
    model: string,
    sse: boolean,
  ): Promise<void> {
    const { res, request, plan, progress } = exchange;
    const checked = checkGenerateRequest(request.body, this.issuedSignatures);
    if (!checked.ok) return this.sendJson(res, 400, checked.error);
    const reply = this.replyFor(request);
    const resolved = resolveReply(reply, model, request.body, `fakeResp${++this.sequence}`);
    for (const call of resolved.functionCalls) {
      if (call.thoughtSignature) this.issuedSignatures.add(call.thoughtSignature);
    }
    if (request.rpc === 'generateContent') {
      const config = (request.body as { generationConfig?: { candidateCount?: unknown } })
        .generationConfig;
      const count = typeof config?.candidateCount === 'number' ? config.candidateCount : 1;
      return this.sendJson(res, 200, generateContentBody(resolved, count));
    }

    let chunks = streamChunks(resolved);
    if (!sse) return this.sendJson(res, 200, chunks);
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
    const write = (chunk: unknown) => writer.event(JSON.stringify(chunk));
    if (!(await writeFrames(chunks, write, progress)) || tail === 'stall') return;
    if (tail === 'cut') {
      progress.closedByFake = true;
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
    { res, request }: FakeExchange<GeminiVocabulary>,
    model: string,
    rpc: string,
  ): void {
    const checked =
      rpc === 'embedContent'
        ? checkEmbedRequest(request.body)
        : checkBatchEmbedRequest(request.body, model);
    if (!checked.ok) return this.sendJson(res, 400, checked.error);
    const { texts, dimensions } = checked.value;
    const vectors = texts.map((t) => ({ values: fakeGeminiEmbedding(t, dimensions) }));
    this.sendJson(
      res,
      200,
      rpc === 'embedContent' ? { embedding: vectors[0] } : { embeddings: vectors },
    );
  }
}
