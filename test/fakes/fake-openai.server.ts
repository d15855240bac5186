/**
 * A real OpenAI API on loopback, for adapter tests, e2e tests and the bench: `node:http`, no
 * mocking of the client, the wire format of wire-formats section 1 (checked against the official
 * `openai` SDK in `fake-openai.server.spec.ts`). It is the `openai` dialect of
 * {@link FakeOpenAiCompatibleServer}.
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
import { OPENAI_DIALECT } from './dialects/openai.dialect.js';
import {
  FakeOpenAiCompatibleServer,
  type FakeOpenAiCompatibleOptions,
} from './fake-openai-compatible.server.js';

export { FAKE_OPENAI_API_KEY } from './dialects/openai.dialect.js';
export { fakeEmbedding, DEFAULT_REPLY_TEXT } from './fake-openai.payloads.js';
export type { FakeReply, FakeToolCall, OpenAiErrorBody } from './fake-openai.payloads.js';
export type { ClientDisconnect, FakePlan } from './fake-openai-compatible.types.js';
export type { FakeStreamFormat } from './fake-sse.writer.js';
export type { FakeRecordedRequest as RecordedRequest } from './fake-upstream.server.js';

export interface FakeOpenAiOptions extends FakeOpenAiCompatibleOptions {
  /** The key callers must present. */
  readonly apiKey?: string;
}

export class FakeOpenAiServer extends FakeOpenAiCompatibleServer {
  constructor(options: FakeOpenAiOptions = {}) {
    super(OPENAI_DIALECT, options);
  }
}
