/**
 * The fake Gemini server's vocabulary: what it records, the plans a test can queue, what it notes
 * of an abandoned request.
 */
import type {
  FakeDelayPlan,
  FakeFailPlan,
  FakeHangPlan,
  FakeRecordedRequest,
  FakeUpstreamOptions,
} from './fake-upstream.server.js';
import type { GoogleErrorBody } from './fake-gemini.payloads.js';

export interface RecordedGeminiRequest extends FakeRecordedRequest {
  /** Path and query, e.g. `/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse`. */
  readonly path: string;
  /** The model of the URL, when the path names one. */
  readonly model: string | undefined;
  /** The method after the colon (`generateContent`, ...), when the path names one. */
  readonly rpc: string | undefined;
  /** The parsed JSON body, the raw text when it is not JSON, `undefined` when empty. */
  readonly body: any;
}

export type FakeGeminiPlan =
  | FakeFailPlan
  | FakeHangPlan
  | FakeDelayPlan
  /** Stream: send the first `afterChunks` events, then fall silent. */
  | { readonly kind: 'stall'; readonly afterChunks: number }
  /** Stream: after `afterChunks` events send a `data: {"error": ...}` event and end. */
  | {
      readonly kind: 'stream-error';
      readonly afterChunks: number;
      readonly error?: GoogleErrorBody;
    }
  /** Stream: after `afterChunks` events destroy the connection. */
  | { readonly kind: 'cut'; readonly afterChunks: number }
  /** Stream: every event, none with a finishReason; the body just ends. */
  | { readonly kind: 'no-finish' };

export interface FakeGeminiOptions extends FakeUpstreamOptions {
  readonly apiKey?: string;
}

export interface ClientDisconnect {
  readonly path: string;
  /** SSE events written before the client went away. */
  readonly chunksSent: number;
}
