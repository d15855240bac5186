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
 * const { baseUrl } = await fake.start(); // http://127.0.0.1:PORT (Cohere's paths start at `/v2`)
 * fake.failNext(429, { headers: { 'retry-after': '7' } });
 * ...
 * await fake.close();
 */
import type { IncomingMessage } from 'node:http';
import {
  chatBody,
  cohereError,
  type CohereErrorBody,
  type CohereEvent,
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
import {
  type FakeDelayPlan,
  FakeApiKeyUpstreamServer,
  type FakeExchange,
  type FakeFailPlan,
  type FakeHangPlan,
  type FakeRecordedRequest,
  parseBody,
  writeFrames,
} from './fake-upstream.server.js';

export {
  DEFAULT_COHERE_REPLY_TEXT,
  FAKE_GENERATION_ERROR,
  fakeCohereEmbedding,
} from './fake-cohere.payloads.js';
export type { FakeCohereReply, FakeCohereToolCall } from './fake-cohere.payloads.js';

export const FAKE_COHERE_API_KEY = 'co-fake-cohere-test-key';

/** Method, path and query (e.g. `/v2/chat`), headers and parsed body; no client port. */
export type RecordedCohereRequest = Omit<FakeRecordedRequest, 'remotePort'>;

/** What the next request gets instead of the normal answer. */
export type FakeCoherePlan =
  | FakeFailPlan
  | FakeHangPlan
  | FakeDelayPlan
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

interface CohereVocabulary {
  readonly request: RecordedCohereRequest;
  readonly plan: FakeCoherePlan;
  readonly reply: FakeCohereReply;
  readonly format: FakeStreamFormat;
  readonly disconnect: CohereClientDisconnect;
}

export class FakeCohereServer extends FakeApiKeyUpstreamServer<CohereVocabulary> {
  private sequence = 0;

  constructor(options: FakeCohereOptions = {}) {
    super(options.apiKey ?? FAKE_COHERE_API_KEY);
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

  protected record(req: IncomingMessage, raw: Buffer): RecordedCohereRequest {
    return {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: req.headers,
      body: parseBody(raw),
    };
  }

  protected disconnectNote(path: string, eventsSent: number): CohereClientDisconnect {
    return { path, eventsSent };
  }

  protected answerHeaders(): Record<string, string> {
    return {
      'x-debug-trace-id': Math.random().toString(16).slice(2, 18),
      'x-endpoint-monthly-call-limit': '1000',
    };
  }

  /** Cohere's `{id, message}`. */
  protected defaultErrorBody(status: number): CohereErrorBody {
    return defaultErrorBody(status);
  }

  protected serve(exchange: FakeExchange<CohereVocabulary>): Promise<void> | void {
    const { req, res, request } = exchange;
    if (req.headers.authorization !== `Bearer ${this.apiKey}`) {
      return this.sendJson(res, 401, unauthorized());
    }
    const route = `${request.method} ${request.path.split('?')[0]}`;
    if (
      request.method === 'POST' &&
      !/^application\/json\b/.test(req.headers['content-type'] ?? '')
    ) {
      const message = 'invalid request: content-type must be application/json';
      return this.sendJson(res, 400, cohereError(message));
    }
    switch (route) {
      case 'POST /v2/chat':
        return this.chat(exchange);
      case 'POST /v2/embed':
        return this.embed(exchange);
      default:
        return this.sendJson(res, 404, cohereError(`no route for ${route}`));
    }
  }

  private async chat(exchange: FakeExchange<CohereVocabulary>): Promise<void> {
    const { res, request, plan, progress } = exchange;
    const checked = checkChatRequest(request.body);
    if (!checked.ok) return this.sendJson(res, 400, checked.error);
    const reply = this.replyFor(request);
    const id = `fake-${String(++this.sequence).padStart(8, '0')}-cohere`;
    const usage = usageBody(reply, checked.value.body.messages);
    if (!checked.value.stream) return this.sendJson(res, 200, chatBody(reply, id, usage));

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

    res.writeHead(200, { ...this.answerHeaders(), 'content-type': 'text/event-stream' });
    const writer = new FakeSseWriter(res, this.format);
    const write = (frame: CohereEvent) => writer.named(frame.type, JSON.stringify(frame));
    if (!(await writeFrames(frames, write, progress)) || stall) return;
    await writer.end();
  }

  private embed({ res, request }: FakeExchange<CohereVocabulary>): void {
    const checked = checkEmbedRequest(request.body);
    if (!checked.ok) return this.sendJson(res, 400, checked.error);
    const id = `fake-${String(++this.sequence).padStart(8, '0')}-embed`;
    this.sendJson(res, 200, embedBody(checked.value.texts, checked.value.dimensions, id));
  }
}
