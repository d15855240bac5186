/**
 * Any OpenAI-compatible vendor on loopback, speaking its own dialect of the wire format
 * (`test/fakes/dialects/<vendor>.dialect.ts`, written from wire-formats.md): its paths, its
 * credential header, what it refuses and how its errors look, its ids, where it puts usage in a
 * stream, how it streams tool calls and which extra fields it adds. Checked with the official
 * `openai` SDK against every dialect (`fake-openai-compatible.server.spec.ts`), and with
 * `@mistralai/mistralai` and `ollama` against theirs (`dialects/*.spec.ts`).
 *
 * - `POST <base>/chat/completions`: JSON, or SSE with `stream: true`, then `data: [DONE]`.
 * - `POST <base>/embeddings` where the vendor has them (float, and base64 where it accepts it;
 *   {@link fakeEmbedding} gives the exact values). `GET <base>/models` where it has it.
 * - The dialect's own routes (Azure's deployments, Ollama's native `/api/chat`, `/api/tags`).
 *
 * Every request is recorded ({@link requests}: method, path with query, headers, parsed body).
 * Each request consumes the next queued plan, if any (`failNext`, `hangNext`, `delayNext`,
 * `stallStreamNext`, `streamErrorNext`, `omitFinishReasonNext`); stream-only plans do nothing to
 * a JSON answer. `setReply`, `setStreamFormat` and `setModels` hold until `reset()`. A failure
 * with no body (`failNext(429)`) answers the vendor's own body and headers for that status.
 * `apiKey` is the key it expects (the dialect's unless `{ apiKey }` is given); with
 * `{ strictModels: true }` a model `setModels` does not list gets the vendor's not-found answer.
 *
 * Dialects, in `dialects/<vendor>.dialect.ts`: `OPENAI_DIALECT`, `AZURE_OPENAI_DIALECT`,
 * `MISTRAL_DIALECT`, `GROQ_DIALECT`, `DEEPSEEK_DIALECT` (or `deepseekDialect({...})`),
 * `QWEN_DIALECT`, `MOONSHOT_DIALECT`, `CHATGLM_DIALECT`, `GROK_DIALECT`, `OLLAMA_DIALECT`, and
 * `LONG_TAIL_DIALECT` / `longTailDialect({...})` with `PERPLEXITY_STYLE`, `TOGETHER_STYLE`,
 * `VLLM_STYLE`, `DOCKER_MODEL_RUNNER_STYLE`. Each file's header lists the quirks it reproduces.
 *
 * @example
 * const fake = new FakeOpenAiCompatibleServer(MISTRAL_DIALECT);
 * const { baseUrl } = await fake.start(); // http://127.0.0.1:PORT/v1, the provider's base-url
 * fake.setReply({ toolCalls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }] });
 * fake.failNext(429); // Mistral's own 429 body
 * // ... point the gateway at baseUrl with fake.apiKey, call it ...
 * expect(fake.lastRequest?.body).toMatchObject({ random_seed: 7 });
 * await fake.close();
 */
import type { ServerResponse } from 'node:http';
import type { FakeDialect, FakeRoute } from './dialects/fake-dialect.js';
import {
  answerContext,
  completionBody,
  type StreamChunks,
  streamChunks,
} from './fake-openai-compatible.payloads.js';
import { checkChat, checkEmbeddings } from './fake-openai-compatible.requests.js';
import type {
  ClientDisconnect,
  CompatibleVocabulary,
  FakeAnswer,
  FakeDefaultFailPlan,
} from './fake-openai-compatible.types.js';
import { embeddingsBody } from './fake-openai.payloads.js';
import { FakeSseWriter } from './fake-sse.writer.js';
import {
  FakeApiKeyUpstreamServer,
  type FakeExchange,
  type FakeRecordedRequest,
  type FakeUpstreamOptions,
  recordRequest,
  writeFrames,
} from './fake-upstream.server.js';
import { writePieces } from './fake-upstream.stream.js';

export { DEFAULT_REPLY_TEXT } from './fake-openai-compatible.payloads.js';
export { fakeEmbedding } from './fake-openai.payloads.js';
export type * from './fake-openai-compatible.types.js';
export type { FakeDialect } from './dialects/fake-dialect.js';
export type { FakeStreamFormat } from './fake-sse.writer.js';
export type { FakeRecordedRequest as RecordedRequest } from './fake-upstream.server.js';

export interface FakeOpenAiCompatibleOptions extends FakeUpstreamOptions {
  /** The key callers must present; defaults to the dialect's. */
  readonly apiKey?: string;
  /** Refuse models `setModels` does not list, with the vendor's not-found answer. */
  readonly strictModels?: boolean;
}

type Exchange = FakeExchange<CompatibleVocabulary>;

export class FakeOpenAiCompatibleServer extends FakeApiKeyUpstreamServer<CompatibleVocabulary> {
  private models: readonly string[];
  private sequence = 0;

  constructor(
    /** The vendor this fake speaks for. */
    readonly dialect: FakeDialect,
    private readonly options: FakeOpenAiCompatibleOptions = {},
  ) {
    super(options.apiKey ?? dialect.defaultApiKey, options);
    this.models = dialect.defaultModels;
  }

  /** Exactly what an operator configures as the provider's `base-url`, once started. */
  override get baseUrl(): string {
    return this.dialect.baseUrl?.(this.origin) ?? `${this.origin}${this.dialect.basePath}`;
  }

  /**
   * The next `times` requests fail with `status`: the given body, or the vendor's own body (and
   * headers, e.g. Azure's `retry-after-ms`) for that status and route.
   */
  override failNext(
    status: number,
    options: { body?: unknown; headers?: Record<string, string>; times?: number } = {},
  ): this {
    if (options.body !== undefined) return super.failNext(status, options);
    const plan: FakeDefaultFailPlan = { kind: 'fail-default', status, headers: options.headers };
    return this.plan(plan, options.times);
  }

  /** The next stream sends `afterChunks` chunks and then stays silent (for abort tests). */
  stallStreamNext(afterChunks = 1): this {
    return this.plan({ kind: 'stall', afterChunks });
  }

  /** The next stream sends the vendor's error frame (or `error`) after `afterChunks` chunks. */
  streamErrorNext(afterChunks = 2, error?: unknown): this {
    return this.plan({ kind: 'stream-error', afterChunks, error });
  }

  /** The next stream ends without any finish_reason. */
  omitFinishReasonNext(options: { sendDone?: boolean } = {}): this {
    return this.plan({ kind: 'no-finish', sendDone: options.sendDone });
  }

  /** The ids `/models` lists (Azure: the deployments; unknown ones then get 404). */
  setModels(ids: readonly string[]): this {
    this.models = [...ids];
    return this;
  }

  /** Forgets requests, disconnects, plans, reply, stream format and models. */
  override reset(): void {
    super.reset();
    this.models = this.dialect.defaultModels;
  }

  protected record(req: Exchange['req'], raw: Buffer): FakeRecordedRequest {
    return recordRequest(req, raw);
  }

  protected disconnectNote(path: string, chunksSent: number): ClientDisconnect {
    return { path, chunksSent };
  }

  protected answerHeaders(): Record<string, string> {
    return this.dialect.answerHeaders();
  }

  protected defaultErrorBody(status: number): unknown {
    return this.dialect.failure(status, '').body;
  }

  protected override answer(exchange: Exchange): Promise<void> | void {
    const { plan, res, request } = exchange;
    if (plan?.kind !== 'fail-default') return super.answer(exchange);
    const answer = this.dialect.failure(plan.status, request.path.split('?')[0]);
    return this.send(res, { ...answer, headers: { ...answer.headers, ...plan.headers } });
  }

  protected serve(exchange: Exchange): Promise<void> | void {
    const { req, res, request } = exchange;
    const url = new URL(request.path, 'http://fake.invalid');
    const method = request.method;
    const denied = this.dialect.authenticate(req.headers, this.apiKey, url.pathname);
    if (denied) return this.send(res, denied);
    const route = this.dialect.route?.(method, url) ?? this.commonRoute(method, url.pathname);
    switch (route.kind) {
      case 'answer':
        return this.send(res, route.answer);
      case 'models':
        return this.send(res, { status: 200, body: this.modelsBody() });
      case 'embeddings':
        return this.embeddings(exchange, route);
      case 'chat':
        return this.chat(exchange, route);
      case 'native':
        return route.serve({
          request,
          res,
          plan: exchange.plan,
          progress: exchange.progress,
          reply: this.replyFor(request),
          models: this.models,
          knows: (model) => !this.unknownModel(model, undefined),
          format: { ...this.dialect.streamFormat, ...this.format },
          send: (answer) => this.send(res, answer),
        });
    }
  }

  private commonRoute(method: string, pathname: string): FakeRoute {
    const { basePath, embeddings, modelsList } = this.dialect;
    const under = pathname.startsWith(`${basePath}/`) ? pathname.slice(basePath.length) : '';
    const route = `${method} ${under}`;
    if (route === 'POST /chat/completions') return { kind: 'chat' };
    if (route === 'POST /embeddings' && embeddings) return { kind: 'embeddings' };
    if (route === 'GET /models' && modelsList) return { kind: 'models' };
    return { kind: 'answer', answer: this.dialect.notFound(method, pathname) };
  }

  private async chat(exchange: Exchange, route: FakeRoute & { kind: 'chat' }): Promise<void> {
    const { res, request, plan, progress } = exchange;
    const checked = checkChat(this.dialect, request.body, route.model);
    if (!checked.ok) return this.send(res, checked.answer);
    const call = checked.value;
    if (this.unknownModel(call.model, route.strictModel)) {
      return this.send(res, this.dialect.modelNotFound(call.model));
    }
    const context = answerContext(this.dialect, call, this.replyFor(request), ++this.sequence);
    if (!call.stream) return this.sendCompletion(res, completionBody(this.dialect, context));

    const { frames, done, stall } = this.streamPlan(streamChunks(this.dialect, context), plan);
    res.writeHead(200, {
      ...this.answerHeaders(),
      'content-type': 'text/event-stream; charset=utf-8',
    });
    const writer = new FakeSseWriter(res, { ...this.dialect.streamFormat, ...this.format });
    const write = (frame: unknown) => writer.event(JSON.stringify(frame));
    if (!(await writeFrames(frames, write, progress)) || stall) return;
    if (done && !(await writer.event('[DONE]'))) return;
    await writer.end();
  }

  private streamPlan(
    chunks: StreamChunks,
    plan: Exchange['plan'],
  ): { frames: unknown[]; done: boolean; stall: boolean } {
    const body = [...chunks.leading, ...chunks.body];
    const all = [...body, chunks.finish, ...(chunks.usage ? [chunks.usage] : [])];
    switch (plan?.kind) {
      case 'no-finish':
        return { frames: body, done: plan.sendDone === true, stall: false };
      case 'stream-error': {
        const error = plan.error ?? this.dialect.streamError();
        return { frames: [...body.slice(0, plan.afterChunks), error], done: false, stall: false };
      }
      case 'stall':
        return { frames: all.slice(0, plan.afterChunks), done: false, stall: true };
      case 'fail':
      case 'fail-default':
      case 'hang':
      case 'delay':
      case undefined:
        return { frames: all, done: true, stall: false };
    }
  }

  private embeddings(exchange: Exchange, route: FakeRoute & { kind: 'embeddings' }): void {
    const { request, res } = exchange;
    const checked = checkEmbeddings(this.dialect, request.body, route.model);
    if (!checked.ok) return this.send(res, checked.answer);
    const { inputs, model, dimensions, base64 } = checked.value;
    if (this.unknownModel(model, route.strictModel)) {
      return this.send(res, this.dialect.modelNotFound(model));
    }
    const body = embeddingsBody(inputs, model, dimensions, base64);
    this.dialect.embeddings?.decorate?.(body);
    this.send(res, { status: 200, body });
  }

  private unknownModel(model: string, strictRoute: boolean | undefined): boolean {
    const strict = strictRoute === true || this.options.strictModels === true;
    return strict && this.models.length > 0 && !this.models.includes(model);
  }

  private modelsBody(): unknown {
    const data = this.models.map((id) => ({
      id,
      object: 'model',
      created: 1_721_172_741,
      owned_by: this.dialect.modelOwner,
    }));
    return this.dialect.modelsList === 'bare-array' ? data : { object: 'list', data };
  }

  /** A JSON answer, after the dialect's leading blank lines if it sends any. */
  private async sendCompletion(res: ServerResponse, body: unknown): Promise<void> {
    const blank = this.dialect.leadingBlankLines;
    if (blank === 0) return this.send(res, { status: 200, body });
    const text = JSON.stringify(body);
    res.writeHead(200, {
      ...this.answerHeaders(),
      'content-type': this.jsonContentType,
      'content-length': String(blank + Buffer.byteLength(text)),
    });
    const lead = Buffer.from('\n'.repeat(blank));
    if (await writePieces(res, [lead, Buffer.from(text)])) res.end();
  }

  private send(res: ServerResponse, answer: FakeAnswer): void {
    this.sendJson(res, answer.status, answer.body, answer.headers);
  }
}
