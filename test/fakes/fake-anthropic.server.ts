/**
 * A real Anthropic Messages API on loopback, for adapter tests and e2e tests: `node:http`, no
 * mocking of the client, the wire format of wire-formats section 3 (checked against the official
 * `@anthropic-ai/sdk` in `fake-anthropic.server.spec.ts`).
 *
 * - `POST /v1/messages`: JSON, or named SSE events with `stream: true` (`message_start`, content
 *   blocks with `ping` after the first start, `message_delta` with the cumulative output tokens,
 *   `message_stop`; no `[DONE]`).
 * - `POST /v1/messages/count_tokens`: `{input_tokens}`, the same estimate a message's usage has
 *   (or the reply's `usage.input_tokens`); `model` and `messages` required.
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
 * const { baseUrl } = await fake.start(); // http://127.0.0.1:PORT (no `/v1`, as Anthropic's)
 * fake.failNext(529); // overloaded_error
 * ...
 * await fake.close();
 */
import type { IncomingMessage } from 'node:http';
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
import {
  type FakeDelayPlan,
  FakeApiKeyUpstreamServer,
  type FakeExchange,
  type FakeFailPlan,
  type FakeHangPlan,
  type FakeRecordedRequest,
  recordRequest,
  writeFrames,
} from './fake-upstream.server.js';

export { DEFAULT_REPLY_TEXT, anthropicError } from './fake-anthropic.payloads.js';
export type {
  AnthropicErrorBody,
  FakeAnthropicReply,
  FakeToolUse,
} from './fake-anthropic.payloads.js';
export type { FakeRecordedRequest as RecordedRequest } from './fake-upstream.server.js';

export const FAKE_ANTHROPIC_API_KEY = 'sk-ant-fake-anthropic-test-key';

/** What the next request gets instead of the normal answer. */
export type FakePlan =
  | FakeFailPlan
  | FakeHangPlan
  | FakeDelayPlan
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

interface AnthropicVocabulary {
  readonly request: FakeRecordedRequest;
  readonly plan: FakePlan;
  readonly reply: FakeAnthropicReply;
  readonly format: FakeStreamFormat;
  readonly disconnect: ClientDisconnect;
}

const DEFAULT_MODELS = ['claude-sonnet-4-5-20250929', 'claude-3-haiku-20240307'];

export class FakeAnthropicServer extends FakeApiKeyUpstreamServer<AnthropicVocabulary> {
  private sequence = 0;

  constructor(options: FakeAnthropicOptions = {}) {
    super(options.apiKey ?? FAKE_ANTHROPIC_API_KEY);
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

  protected record(req: IncomingMessage, raw: Buffer): FakeRecordedRequest {
    return recordRequest(req, raw);
  }

  protected disconnectNote(path: string, eventsSent: number): ClientDisconnect {
    return { path, eventsSent };
  }

  protected answerHeaders(): Record<string, string> {
    return {
      'request-id': requestId(),
      'anthropic-organization-id': 'org-fake-0001',
      'anthropic-ratelimit-requests-limit': '50',
      'anthropic-ratelimit-requests-remaining': '49',
    };
  }

  /** Anthropic's envelope with the error type of that status (529: `overloaded_error`). */
  protected defaultErrorBody(status: number): AnthropicErrorBody {
    return defaultErrorBody(status);
  }

  protected serve(exchange: FakeExchange<AnthropicVocabulary>): Promise<void> | void {
    const { req, res, request } = exchange;
    const refused = checkHeaders(req.headers, this.apiKey);
    if (refused) return this.sendJson(res, refused.status, refused.body);
    const route = `${request.method} ${request.path.split('?')[0]}`;
    switch (route) {
      case 'POST /v1/messages':
        return this.messages(exchange);
      case 'POST /v1/messages/count_tokens':
        return this.countTokens(exchange);
      case 'GET /v1/models':
        return this.sendJson(res, 200, modelsBody(DEFAULT_MODELS));
      default:
        return this.sendJson(res, 404, anthropicError('not_found_error', 'Not found'));
    }
  }

  private countTokens(exchange: FakeExchange<AnthropicVocabulary>): void {
    const { res, request } = exchange;
    const body = request.body as Record<string, unknown> | string | undefined;
    if (
      typeof body !== 'object' ||
      typeof body.model !== 'string' ||
      !Array.isArray(body.messages)
    ) {
      return this.sendJson(
        res,
        400,
        anthropicError('invalid_request_error', 'model and messages are required'),
      );
    }
    const input = usageBody(this.replyFor(request), body).input_tokens;
    return this.sendJson(res, 200, { input_tokens: input });
  }

  private async messages(exchange: FakeExchange<AnthropicVocabulary>): Promise<void> {
    const { res, request, plan, progress } = exchange;
    if (typeof request.body === 'string') {
      return this.sendJson(res, 400, anthropicError('invalid_request_error', 'Invalid JSON body'));
    }
    const checked = checkMessagesRequest(request.body, request.headers['content-type']);
    if (!checked.ok) return this.sendJson(res, checked.refusal.status, checked.refusal.body);
    const { body, model, stream } = checked.value;
    const reply = this.replyFor(request);
    const id = `msg_fake${String(++this.sequence).padStart(4, '0')}`;
    const usage = usageBody(reply, body);
    if (!stream) return this.sendJson(res, 200, messageBody(reply, id, model, usage));

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
      ...this.answerHeaders(),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
    });
    const writer = new FakeSseWriter(res, this.format);
    const write = (frame: FakeEvent) => writer.named(frame.type, JSON.stringify(frame.data));
    if (!(await writeFrames(frames, write, progress)) || stall) return;
    await writer.end();
  }
}
