import type { StatusHints } from '../http/upstream-errors.js';
import type {
  ChatCompletionRequest,
  FinishReason,
  ModelDescriptor,
  ProviderCapabilities,
} from '../llm-provider.types.js';

/** A JSON object on the wire. */
export type WireJson = Record<string, unknown>;

/**
 * What a vendor that speaks OpenAI's wire format declares about itself, so one adapter
 * ({@link OpenAiCompatibleAdapter}) serves them all. Everything vendor-specific is a field here,
 * written in the vendor's own folder; the shared code knows no vendor by name.
 */
export interface OpenAiCompatibleProfile {
  /** The provider id: config key, log field, `X-Gateway-Provider`. */
  readonly id: string;
  /** Where the API lives, e.g. `https://api.mistral.ai/v1`; paths are appended to it. */
  readonly baseUrl: string;
  /** Headers sent on every call: the credential (`Authorization: Bearer …`, `api-key: …`). */
  readonly headers: Readonly<Record<string, string>>;
  /** Query parameters added to every call (Azure's `api-version`). */
  readonly query?: Readonly<Record<string, string>>;
  /** Credentials masked out of any upstream text before it is logged. */
  readonly secrets: readonly string[];
  /** The chat path under the base URL for an upstream model. Default `/chat/completions`. */
  chatPath?(model: string): string;
  /**
   * The embeddings path under the base URL for an upstream model, or `undefined` (the default)
   * when the vendor has no embeddings API.
   */
  embeddingsPath?(model: string): string;
  /**
   * The path of the vendor's Responses API under the base URL, when it has one: `/v1/responses`
   * calls then pass through to it unchanged (contract 16) instead of being translated to chat.
   */
  readonly responsesPath?: string;
  capabilities(model: string): ProviderCapabilities;
  /** What GET /v1/models lists for this provider. */
  listModels(): ModelDescriptor[];
  /**
   * Ask for `stream_options.include_usage` so usage is never lost. Off for vendors that refuse
   * the field or always send usage on their own.
   */
  readonly streamUsage: boolean;
  /** Ask embeddings in base64 (a quarter of the bytes); off for vendors that only send floats. */
  readonly embeddingsBase64: boolean;
  /** Rewrites the chat body built from the caller's request (field renames, id rules). */
  adaptChatBody?(body: WireJson, request: ChatCompletionRequest): void;
  /** Moves a vendor's deviations in a stream chunk into OpenAI's places, before it is read. */
  readonly adaptChunk?: (chunk: WireJson) => void;
  /** The same for a whole (non-streamed) answer. */
  adaptCompletion?(body: WireJson): void;
  /** Maps a finish reason OpenAI does not have; `undefined`: not a known one. */
  readonly finishReason?: (value: string) => FinishReason | undefined;
  /** What only the vendor's error body tells (an exhausted quota answered as 429). */
  statusHints?(body: unknown): StatusHints;
}

/** `Authorization: Bearer <key>` plus JSON accept, the usual OpenAI-compatible credential. */
export function bearerHeaders(apiKey: string): Record<string, string> {
  return { authorization: `Bearer ${apiKey}`, accept: 'application/json' };
}
