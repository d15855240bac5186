/**
 * The vocabulary every OpenAI-compatible fake shares, whatever its vendor dialect: what a test
 * scripts (reply, plans), what the fake records and notes, and what a dialect's check answers.
 */
import type { FakeStreamFormat } from './fake-sse.writer.js';
import type {
  FakeDelayPlan,
  FakeFailPlan,
  FakeHangPlan,
  FakeRecordedRequest,
} from './fake-upstream.server.js';

/**
 * OpenAI's finish reasons, plus any a vendor sends of its own (Mistral `model_length`, ChatGLM
 * `sensitive`), which the fake passes through as given.
 */
export type FakeFinishReason =
  'stop' | 'length' | 'tool_calls' | 'content_filter' | (string & Record<never, never>);

export interface FakeToolCall {
  /** Defaults to an id in the vendor's own style (Mistral: 9 alphanumerics). */
  readonly id?: string;
  readonly name: string;
  /** The JSON arguments as a string; streamed in fragments where the vendor fragments them. */
  readonly arguments: string;
}

/** What the fake's assistant says. */
export interface FakeReply {
  /** Assistant text (ignored when `toolCalls` or `refusal` is set). Streamed a few code points per chunk. */
  readonly content?: string;
  readonly toolCalls?: readonly FakeToolCall[];
  /** A refusal instead of content, for the vendors that have the field (OpenAI, Azure). */
  readonly refusal?: string;
  /**
   * Reasoning text, sent in the vendor's reasoning field (`reasoning_content`, Ollama's
   * `reasoning`) before the answer; dropped by dialects without one.
   */
  readonly reasoning?: string;
  /** Defaults to `tool_calls` with tool calls, `stop` otherwise. */
  readonly finishReason?: FakeFinishReason;
  /** Defaults to an estimate from the request and answer sizes. */
  readonly usage?: {
    readonly prompt_tokens: number;
    readonly completion_tokens: number;
    /** Defaults to an estimate from `reasoning`. */
    readonly reasoning_tokens?: number;
  };
  /** `null` reproduces the models that send `system_fingerprint: null`. */
  readonly systemFingerprint?: string | null;
  /** Model named in the answer; defaults to the requested one. */
  readonly model?: string;
}

/** What a check, route or scripted failure answers: a status, a body and headers. */
export interface FakeAnswer {
  readonly status: number;
  /** An object is sent as JSON, a string as `text/plain`. */
  readonly body: unknown;
  readonly headers?: Record<string, string>;
}

/** What an error says, before the vendor's envelope shapes it. */
export interface FakeErrorSpec {
  readonly message: string;
  readonly type?: string | null;
  readonly code?: string | null;
  readonly param?: string | null;
}

/** A failure with no body given: the dialect's body for its status and route, at answer time. */
export type FakeDefaultFailPlan = {
  readonly kind: 'fail-default';
  readonly status: number;
  readonly headers?: Record<string, string>;
};

/** What the next request gets instead of the normal answer. */
export type FakePlan =
  | FakeFailPlan
  | FakeDefaultFailPlan
  | FakeHangPlan
  | FakeDelayPlan
  /** Stream: send headers and the first `afterChunks` chunks, then fall silent. */
  | { readonly kind: 'stall'; readonly afterChunks: number }
  /** Stream: after `afterChunks` chunks send the vendor's error frame and end. */
  | { readonly kind: 'stream-error'; readonly afterChunks: number; readonly error?: unknown }
  /** Stream: content, but no finish chunk; the body just ends (with `[DONE]` if `sendDone`). */
  | { readonly kind: 'no-finish'; readonly sendDone?: boolean };

export interface ClientDisconnect {
  readonly path: string;
  /** Stream chunks (SSE events, NDJSON lines) written before the client went away. */
  readonly chunksSent: number;
}

export interface CompatibleVocabulary {
  readonly request: FakeRecordedRequest;
  readonly plan: FakePlan;
  readonly reply: FakeReply;
  readonly format: FakeStreamFormat;
  readonly disconnect: ClientDisconnect;
}
