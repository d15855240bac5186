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
import type { IncomingMessage, ServerResponse } from 'node:http';
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
import {
  type FakeDelayPlan,
  FakeApiKeyUpstreamServer,
  type FakeExchange,
  type FakeFailPlan,
  type FakeHangPlan,
  type FakeRecordedRequest,
  type FakeUpstreamOptions,
  recordRequest,
  writeFrames,
} from './fake-upstream.server.js';

export { fakeEmbedding, DEFAULT_REPLY_TEXT } from './fake-openai.payloads.js';
export type { FakeReply, FakeToolCall, OpenAiErrorBody } from './fake-openai.payloads.js';
export type { FakeStreamFormat } from './fake-sse.writer.js';
export type { FakeRecordedRequest as RecordedRequest } from './fake-upstream.server.js';

export const FAKE_OPENAI_API_KEY = 'sk-fake-openai-test-key';

/** What the next request gets instead of the normal answer. */
export type FakePlan =
  | FakeFailPlan
  | FakeHangPlan
  | FakeDelayPlan
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

export interface FakeOpenAiOptions extends FakeUpstreamOptions {
  /** The key callers must present. */
  readonly apiKey?: string;
}

export interface ClientDisconnect {
  readonly path: string;
  /** SSE chunks written before the client went away (0 when it left before any). */
  readonly chunksSent: number;
}

interface OpenAiVocabulary {
  readonly request: FakeRecordedRequest;
  readonly plan: FakePlan;
  readonly reply: FakeReply;
  readonly format: FakeStreamFormat;
  readonly disconnect: ClientDisconnect;
}

const DEFAULT_MODELS = ['gpt-4o', 'gpt-4o-mini', 'text-embedding-3-small'];

export class FakeOpenAiServer extends FakeApiKeyUpstreamServer<OpenAiVocabulary> {
  private models: readonly string[] = DEFAULT_MODELS;
  private sequence = 0;

  constructor(options: FakeOpenAiOptions = {}) {
    super(options.apiKey ?? FAKE_OPENAI_API_KEY, options);
  }

  /** `http://127.0.0.1:PORT/v1`, once started. */
  override get baseUrl(): string {
    return `${this.origin}/v1`;
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

  /** The ids `GET /v1/models` lists. */
  setModels(ids: readonly string[]): this {
    this.models = [...ids];
    return this;
  }

  /** Forgets requests, disconnects, plans, reply, stream format and models. */
  override reset(): void {
    super.reset();
    this.models = DEFAULT_MODELS;
  }

  protected record(req: IncomingMessage, raw: Buffer): FakeRecordedRequest {
    return recordRequest(req, raw);
  }

  protected disconnectNote(path: string, chunksSent: number): ClientDisconnect {
    return { path, chunksSent };
  }

  protected answerHeaders(): Record<string, string> {
    return {
      'x-request-id': `req_fake${Math.random().toString(16).slice(2, 10)}`,
      'openai-processing-ms': '1',
      'openai-version': '2020-10-01',
    };
  }

  protected defaultErrorBody(status: number): OpenAiErrorBody {
    return defaultErrorBody(status);
  }

  protected serve(exchange: FakeExchange<OpenAiVocabulary>): Promise<void> | void {
    const { req, res, request } = exchange;
    const auth = req.headers.authorization;
    if (auth !== `Bearer ${this.apiKey}`) return this.sendJson(res, 401, unauthorized(auth));
    const route = `${request.method} ${request.path.split('?')[0]}`;
    switch (route) {
      case 'POST /v1/chat/completions':
        return this.chat(exchange);
      case 'POST /v1/embeddings':
        return this.embeddings(request, res);
      case 'GET /v1/models':
        return this.sendJson(res, 200, modelsBody(this.models));
      default:
        return this.sendJson(res, 404, openAiError(`Invalid URL (${route})`));
    }
  }

  private async chat(exchange: FakeExchange<OpenAiVocabulary>): Promise<void> {
    const { res, request, plan, progress } = exchange;
    const checked = checkChatRequest(request.body);
    if (!checked.ok) return this.sendJson(res, 400, checked.error);
    const { body, model, stream, includeUsage } = checked.value;
    const reply = this.replyFor(request);
    const id = `chatcmpl-fake${++this.sequence}`;
    const usage = usageBody(reply, body);
    if (!stream) return this.sendJson(res, 200, chatCompletionBody(reply, id, model, usage));

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

    res.writeHead(200, {
      ...this.answerHeaders(),
      'content-type': 'text/event-stream; charset=utf-8',
    });
    const writer = new FakeSseWriter(res, this.format);
    const write = (frame: unknown) => writer.event(JSON.stringify(frame));
    if (!(await writeFrames(frames, write, progress)) || stall) return;
    if (done && !(await writer.event('[DONE]'))) return;
    await writer.end();
  }

  private embeddings(request: FakeRecordedRequest, res: ServerResponse): void {
    const checked = checkEmbeddingRequest(request.body);
    if (!checked.ok) return this.sendJson(res, 400, checked.error);
    const { inputs, model, dimensions, base64 } = checked.value;
    this.sendJson(res, 200, embeddingsBody(inputs, model, dimensions, base64));
  }
}
