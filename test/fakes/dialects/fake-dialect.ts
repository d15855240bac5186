/**
 * A vendor's dialect of OpenAI's wire format, as data and small functions: where its routes live,
 * how it checks credentials, what it refuses, how its errors look and how it shapes answers and
 * stream chunks. {@link FakeOpenAiCompatibleServer} speaks any of them; each vendor's quirks live
 * in its own `<vendor>.dialect.ts`, written from wire-formats.md.
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { FakeStreamFormat } from '../fake-sse.writer.js';
import type { FakeProgress, FakeRecordedRequest } from '../fake-upstream.server.js';
import type {
  FakeAnswer,
  FakeErrorSpec,
  FakePlan,
  FakeReply,
} from '../fake-openai-compatible.types.js';

/** A chat request that passed the common checks (JSON object, model, non-empty messages). */
export interface FakeChatCall {
  readonly body: Record<string, unknown>;
  /** The model asked for: the body's, or the deployment in the path (Azure). */
  readonly model: string;
  readonly stream: boolean;
  /** `stream_options.include_usage` was set. */
  readonly includeUsage: boolean;
}

/** A tool call with its id settled (the reply's, or one minted in the vendor's style). */
export interface FakeResolvedToolCall {
  readonly id: string;
  readonly name: string;
  readonly arguments: string;
}

/** Everything one answer is built from. */
export interface FakeAnswerContext {
  readonly call: FakeChatCall;
  readonly reply: FakeReply;
  readonly id: string;
  /** The model named in the answer. */
  readonly model: string;
  readonly created: number;
  readonly toolCalls: readonly FakeResolvedToolCall[];
  /** Reasoning text to send, if the dialect has a field for it. */
  readonly reasoning: string | undefined;
  readonly finishReason: string;
  readonly usage: FakeUsageCount;
}

/** Token counts before the dialect shapes them into its `usage` object. */
export interface FakeUsageCount {
  readonly prompt: number;
  /** Answer tokens, reasoning excluded. */
  readonly completion: number;
  readonly reasoning: number;
}

/** Where a stream chunk sits, for {@link FakeDialect.decorateChunk}. */
export type FakeChunkStage = 'role' | 'reasoning' | 'content' | 'tool' | 'finish' | 'usage';

/** How the vendor streams tool calls (wire-formats section 20 item 6). */
export type FakeToolCallDeltas =
  /** OpenAI: an opener with id, name and `arguments: ""`, then argument fragments. */
  | 'fragments'
  /** Groq, xAI, Ollama: each call whole in one chunk. */
  | 'whole'
  /** Mistral: the whole calls ride on the finish chunk itself. */
  | 'whole-in-finish'
  /** Qwen: fragments whose continuations carry `"id": ""` and `type`, then a stray empty one. */
  | 'continuations';

/** Where usage goes in a stream (wire-formats section 20 item 5). */
export type FakeStreamUsage =
  /** OpenAI: a trailing `choices: []` chunk, only when `include_usage` was asked. */
  | 'trailing'
  /** Mistral, Groq, DeepSeek, ChatGLM: on the finish chunk, always. */
  | 'finish'
  /** Moonshot: inside `choices[0]` of the finish chunk, always. */
  | 'choice'
  /** Perplexity: cumulative on every chunk. */
  | 'every';

/** What the fake hands a dialect's own route (Ollama's native API). */
export interface FakeNativeContext {
  readonly request: FakeRecordedRequest;
  readonly res: ServerResponse;
  readonly plan: FakePlan | undefined;
  readonly progress: FakeProgress;
  readonly reply: FakeReply;
  readonly models: readonly string[];
  /** False when models are strict and `model` is not listed. */
  knows(model: string): boolean;
  readonly format: FakeStreamFormat;
  /** Answers with the whole body at once (object as JSON, string as text). */
  send(answer: FakeAnswer): void;
}

/** Where a request goes. */
export type FakeRoute =
  /** `model`: set when the path names it (Azure's deployment), overriding the body's. */
  | { readonly kind: 'chat'; readonly model?: string; readonly strictModel?: boolean }
  | { readonly kind: 'embeddings'; readonly model?: string; readonly strictModel?: boolean }
  | { readonly kind: 'models' }
  | { readonly kind: 'native'; serve(context: FakeNativeContext): Promise<void> | void }
  | { readonly kind: 'answer'; readonly answer: FakeAnswer };

/** What embeddings the vendor serves. */
export interface FakeEmbeddingsSupport {
  /**
   * `encoding_format: "base64"` (the `openai` SDK's default): served, refused with 400 (`false`),
   * or ignored with floats sent anyway (`'ignored'`, as Ollama does).
   */
  readonly base64: boolean | 'ignored';
  /** What it refuses in an embeddings request, beyond a missing model or input. */
  check?(body: Record<string, unknown>): FakeAnswer | undefined;
  /** Adds the vendor's extra fields to an embeddings answer (Mistral's `id`). */
  decorate?(body: Record<string, unknown>): void;
}

export interface FakeDialect {
  /** The provider id the dialect speaks for (`mistral`), as the gateway names it. */
  readonly name: string;

  // Routes and credentials.
  /** Where the OpenAI-compatible routes live under the origin: `/v1`, `/openai/v1`, `''`. */
  readonly basePath: string;
  /** What an operator configures as the provider's `base-url`; default origin + `basePath`. */
  baseUrl?(origin: string): string;
  /** The key the fake expects unless the test names one. */
  readonly defaultApiKey: string;
  readonly defaultModels: readonly string[];
  /** `<base>/embeddings`, or `undefined` when the vendor has none (404). */
  readonly embeddings: FakeEmbeddingsSupport | undefined;
  /** `GET <base>/models`: OpenAI's list, a bare array (Together), or none (404). */
  readonly modelsList: 'list' | 'bare-array' | undefined;
  /** `owned_by` of each listed model. */
  readonly modelOwner: string;
  /** The refusal of a request whose credentials are missing or wrong; `undefined` accepts it. */
  authenticate(headers: IncomingHttpHeaders, apiKey: string, path: string): FakeAnswer | undefined;
  /** Routes the dialect resolves itself, before the common ones (Azure, Ollama's native API). */
  route?(method: string, url: URL): FakeRoute | undefined;

  // Refusals and errors.
  /** The vendor's error envelope (wire-formats section 20 item 12). */
  error(status: number, spec: FakeErrorSpec): unknown;
  /** What `failNext(status)` answers when the test gives no body: body and headers. */
  failure(status: number, path: string): FakeAnswer;
  /** The body of a mid-stream error frame. */
  streamError(): unknown;
  /** What the vendor refuses in a chat request that passed the common checks. */
  checkChat?(call: FakeChatCall): FakeAnswer | undefined;
  /** The answer to a model the fake does not list, when models are strict. */
  modelNotFound(model: string): FakeAnswer;
  /** The answer to a path the vendor does not serve. */
  notFound(method: string, path: string): FakeAnswer;

  // Answers.
  completionId(sequence: number): string;
  /** An id in the vendor's style for a tool call the reply gave none. */
  toolCallId(sequence: number, index: number, name: string): string;
  readonly toolCallDeltas: FakeToolCallDeltas;
  /** Where `tool_calls[].index` appears: in stream deltas only, also in JSON answers, never. */
  readonly toolCallIndex: 'stream' | 'always' | 'never';
  /** Whether tool calls carry `type: "function"`. */
  readonly toolCallType: boolean;
  /** `content` of a message that calls tools: `null`, `""`, or absent (`undefined`). */
  readonly contentWithToolCalls: null | '' | undefined;
  readonly streamUsage: FakeStreamUsage;
  /** `usage: null` on every chunk when `include_usage` was asked (OpenAI). */
  readonly usageNullWhenAsked: boolean;
  /** Intermediate chunks omit `finish_reason` and `logprobs` (keys absent, not null). */
  readonly sparseChunks: boolean;
  /** A refusal has its own field (OpenAI, Azure); otherwise the model says it as content. */
  readonly refusals: boolean;
  /** The message/delta field reasoning goes in; `undefined`: the dialect drops reasoning. */
  readonly reasoningField: 'reasoning_content' | 'reasoning' | undefined;
  /** Reasoning a model sends when the reply sets none (DeepSeek's `deepseek-reasoner`). */
  defaultReasoning?(model: string): string | undefined;
  /** The `usage` object. */
  usageBody(count: FakeUsageCount): Record<string, unknown>;
  /** The first delta of a stream. */
  roleDelta(hasToolCalls: boolean): Record<string, unknown>;
  /** The delta of the finish chunk. */
  finishDelta(): Record<string, unknown>;
  /** Stream framing the vendor uses unless the test sets its own (DeepSeek's keep-alives). */
  readonly streamFormat: FakeStreamFormat;
  /** Blank lines before a JSON answer body (DeepSeek while a request is queued). */
  readonly leadingBlankLines: number;
  /** Headers on every answer. */
  answerHeaders(): Record<string, string>;
  /** Adds the vendor's extra fields to a JSON answer. */
  decorateCompletion?(body: Record<string, unknown>, context: FakeAnswerContext): void;
  /** Adds the vendor's extra fields to a stream chunk. */
  decorateChunk?(
    chunk: Record<string, unknown>,
    stage: FakeChunkStage,
    context: FakeAnswerContext,
  ): void;
  /** Chunks before the first one (Azure's filter-only chunk). */
  leadingChunks?(context: FakeAnswerContext): Record<string, unknown>[];
}
