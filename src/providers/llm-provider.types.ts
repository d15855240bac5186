/**
 * The gateway's internal vocabulary: OpenAI's chat and embeddings shapes (the client-facing wire
 * format, contract 4.2/4.3), so the common case needs no reshaping. Adapters translate to and from
 * their vendor's format; everything outside `providers/<vendor>/` speaks only these types.
 */

export type ChatRole = 'system' | 'developer' | 'user' | 'assistant' | 'tool';

export interface TextPart {
  type: 'text';
  text: string;
}

export interface ImagePart {
  type: 'image_url';
  image_url: { url: string; detail?: 'auto' | 'low' | 'high' };
}

export type ContentPart = TextPart | ImagePart;

/**
 * The longest tool-call id the gateway accepts back from callers. Generous on purpose: adapters
 * may carry vendor state in the ids they mint (Gemini's thought signatures run to kilobytes), and
 * callers send those ids back unchanged.
 */
export const MAX_TOOL_CALL_ID_LENGTH = 8192;

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatMessage {
  role: ChatRole;
  content?: string | ContentPart[] | null;
  name?: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
  /** An earlier answer's refusal, echoed back by SDKs; not forwarded. */
  refusal?: string | null;
}

export interface FunctionTool {
  type: 'function';
  function: {
    name: string;
    description?: string;
    parameters?: Record<string, unknown>;
    strict?: boolean;
  };
}

export type ToolChoice =
  'none' | 'auto' | 'required' | { type: 'function'; function: { name: string } };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | {
      type: 'json_schema';
      json_schema: {
        name: string;
        description?: string;
        schema?: Record<string, unknown>;
        strict?: boolean;
      };
    };

/** A validated chat request, as the caller sent it (model still carries its prefix). */
export interface ChatCompletionRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  max_tokens?: number;
  max_completion_tokens?: number;
  temperature?: number;
  top_p?: number;
  frequency_penalty?: number;
  presence_penalty?: number;
  stop?: string | string[];
  seed?: number;
  user?: string;
  response_format?: ResponseFormat;
  tools?: FunctionTool[];
  tool_choice?: ToolChoice;
  parallel_tool_calls?: boolean;
  metadata?: Record<string, string>;
  /**
   * The OpenAI fields of contract 4.2: forwarded, mapped or refused per target (the matrix).
   * `reasoning_effort` is also set by the Responses ingress from `reasoning.effort`.
   */
  reasoning_effort?: ReasoningEffort;
  verbosity?: 'low' | 'medium' | 'high';
  service_tier?: 'auto' | 'default' | 'flex' | 'scale' | 'priority';
  store?: boolean;
  prediction?: { type: 'content'; content: string | TextPart[] };
  modalities?: ('text' | 'audio')[];
  audio?: { format: AudioFormat; voice: string | { id: string } };
  web_search_options?: WebSearchOptions;
  logprobs?: boolean;
  top_logprobs?: number;
  logit_bias?: Record<string, number>;
  n?: number;
  prompt_cache_key?: string;
  safety_identifier?: string;
}

/** OpenAI's `reasoning_effort` values (openai SDK 6.x `Shared.ReasoningEffort`). */
export const REASONING_EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'] as const;
export type ReasoningEffort = (typeof REASONING_EFFORTS)[number];

export type AudioFormat = 'wav' | 'aac' | 'mp3' | 'flac' | 'opus' | 'pcm16';

export interface WebSearchOptions {
  search_context_size?: 'low' | 'medium' | 'high';
  user_location?: {
    type: 'approximate';
    approximate: { city?: string; country?: string; region?: string; timezone?: string };
  } | null;
}

/**
 * The optional OpenAI request fields of contract 4.2 that a target may or may not honour. Each
 * provider declares, per model, which of them it takes (its parameter map): a field outside the
 * map is refused with `unsupported_capability` naming it, never silently dropped.
 */
export const OPTIONAL_FIELDS = [
  'reasoning_effort',
  'verbosity',
  'service_tier',
  'store',
  'prediction',
  'modalities',
  'audio',
  'web_search_options',
  'logprobs',
  'top_logprobs',
  'logit_bias',
  'n',
  'prompt_cache_key',
  'safety_identifier',
] as const;
export type OptionalField = (typeof OPTIONAL_FIELDS)[number];

/**
 * How a target honours a field: `forward` sends it as the caller wrote it; `mapped` translates it
 * into the vendor's own parameter (e.g. `reasoning_effort` into a thinking budget). `values`
 * narrows a string field to the values the target takes.
 */
export interface FieldSupport {
  readonly how: 'forward' | 'mapped';
  readonly values?: readonly string[];
  /** `false`: honoured on JSON answers only, refused with `stream: true`. */
  readonly stream?: false;
}

/** A provider's parameter map for one model: the optional fields it honours. */
export type FieldMap = Readonly<Partial<Record<OptionalField, FieldSupport>>>;

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number };
  completion_tokens_details?: { reasoning_tokens?: number };
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: {
    index: number;
    message: {
      role: 'assistant';
      content: string | null;
      refusal: string | null;
      tool_calls?: ToolCall[];
      /** Spoken answers (`modalities: ['audio']`), as OpenAI sends them. */
      audio?: Record<string, unknown>;
      /** URL citations of `web_search_options` answers, as OpenAI sends them. */
      annotations?: unknown[];
    };
    finish_reason: FinishReason;
    /** The upstream's token log probabilities when the caller asked for `logprobs`. */
    logprobs: ChoiceLogprobs | null;
  }[];
  /** The tier that served the call, as OpenAI reports it. */
  service_tier?: string;
  /** Absent when the upstream reported none: usage is never invented here (metering estimates it). */
  usage?: Usage;
  system_fingerprint?: string;
}

/** OpenAI's `choices[].logprobs`, passed through as the upstream sent it. */
export interface ChoiceLogprobs {
  content: unknown[] | null;
  refusal?: unknown[] | null;
}

export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

export interface ChunkChoice {
  index: number;
  delta: {
    role?: 'assistant';
    content?: string | null;
    refusal?: string | null;
    tool_calls?: ToolCallDelta[];
    audio?: Record<string, unknown>;
  };
  finish_reason: FinishReason | null;
  logprobs?: ChoiceLogprobs | null;
}

/**
 * One streamed chunk. Adapters emit the role on the first choice chunk, a `finish_reason` on the
 * last choice chunk, and, when the upstream reported usage, one last chunk with `choices: []` and
 * `usage` (the service drops it unless the caller asked for `stream_options.include_usage`).
 */
export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: ChunkChoice[];
  usage?: Usage | null;
  system_fingerprint?: string;
  service_tier?: string;
}

export interface EmbeddingRequest {
  model: string;
  input: string | string[] | number[] | number[][];
  encoding_format?: 'float' | 'base64';
  dimensions?: number;
  user?: string;
}

/** Embeddings as floats; the service encodes base64 when the caller asked for it. */
export interface EmbeddingResult {
  model: string;
  data: { index: number; embedding: number[] }[];
  usage: { prompt_tokens: number; total_tokens: number };
}

/** What a provider can honour for a model (contract section 5, capability matrix). */
export interface ProviderCapabilities {
  streaming: boolean;
  vision: boolean;
  tools: boolean;
  /** `native`: upstream honours it; `emulated`: the adapter rewrites it; `none`: refused. */
  jsonSchema: 'native' | 'emulated' | 'none';
  jsonObject: 'native' | 'emulated' | 'none';
  embeddings: boolean;
  maxContextTokens: number;
  /** The optional fields this model honours; absent: none of them (nothing granted by omission). */
  fields?: FieldMap;
}

/** One entry of GET /v1/models. */
export interface ModelDescriptor {
  id: string;
  ownedBy: string;
}
