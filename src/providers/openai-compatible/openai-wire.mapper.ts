import { UpstreamHttpError } from '../http/upstream-http.error.js';
import type { StatusHints } from '../http/upstream-errors.js';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChunkChoice,
  EmbeddingResult,
  FinishReason,
  ToolCall,
  ToolCallDelta,
  Usage,
  ChoiceLogprobs,
} from '../llm-provider.types.js';

/**
 * OpenAI-format answers read into the gateway's vocabulary (wire-formats section 1), shared by
 * every OpenAI-compatible vendor (the requests are built in `openai-request.mapper.ts`). Answers
 * are rebuilt so what callers see validates against OpenAI's published schema whatever the
 * upstream added or nulled. A body that cannot be read throws
 * `UpstreamHttpError('malformed_response')`.
 */

type Json = Record<string, unknown>;

/** Maps a finish reason outside OpenAI's set (a vendor's extra); `undefined`: unknown. */
export type FinishReasonMapper = (value: string) => FinishReason | undefined;

const FINISH_REASONS: ReadonlySet<string> = new Set<FinishReason>([
  'stop',
  'length',
  'tool_calls',
  'content_filter',
  'function_call',
]);

/** An exhausted quota is answered as 429 but will not recover by retrying (wire-formats 1.6). */
export function openAiStatusHints(body: unknown): StatusHints {
  const error = asRecord(asRecord(body)?.error);
  const quota = error?.code === 'insufficient_quota' || error?.type === 'insufficient_quota';
  return quota ? { retryable: false } : {};
}

export function toChatCompletion(body: unknown, mapFinish?: FinishReasonMapper): ChatCompletion {
  const raw = asRecord(body);
  if (raw === undefined) throw malformed('the answer is not a JSON object');
  const choices = raw.choices;
  if (!Array.isArray(choices) || choices.length === 0) throw malformed('the answer has no choices');
  const completion: ChatCompletion = {
    id: requireString(raw, 'id'),
    object: 'chat.completion',
    created: requireNumber(raw, 'created'),
    model: requireString(raw, 'model'),
    choices: choices.map((choice: unknown, position) => {
      const c = asRecord(choice);
      const message = asRecord(c?.message);
      if (c === undefined || message === undefined) throw malformed('a choice has no message');
      const finish = toFinishReason(c.finish_reason, mapFinish);
      if (finish === null) throw malformed('a choice has no finish_reason');
      const toolCalls = Array.isArray(message.tool_calls) ? message.tool_calls.map(toToolCall) : [];
      const audio = asRecord(message.audio);
      const annotations =
        Array.isArray(message.annotations) && message.annotations.length > 0
          ? message.annotations
          : undefined;
      return {
        index: typeof c.index === 'number' ? c.index : position,
        message: {
          role: 'assistant' as const,
          content: nullableString(message.content),
          refusal: nullableString(message.refusal),
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
          ...(audio !== undefined ? { audio } : {}),
          ...(annotations !== undefined ? { annotations } : {}),
        },
        finish_reason: finish,
        logprobs: toLogprobs(c.logprobs),
      };
    }),
    usage: toUsage(raw.usage),
  };
  const tier = serviceTier(raw.service_tier);
  if (tier !== undefined) completion.service_tier = tier;
  if (typeof raw.system_fingerprint === 'string') {
    completion.system_fingerprint = raw.system_fingerprint;
  }
  return completion;
}

/**
 * One upstream stream chunk in the gateway's shape: `usage` is present only when the upstream
 * sent a usage object; nulls the schema forbids (`system_fingerprint`, `delta.role`) are dropped.
 */
export function toChatChunk(json: unknown, mapFinish?: FinishReasonMapper): ChatCompletionChunk {
  const raw = asRecord(json);
  if (raw === undefined) throw malformed('a stream chunk is not a JSON object');
  const choices = Array.isArray(raw.choices)
    ? raw.choices.map((choice: unknown, i) => toChunkChoice(choice, i, mapFinish))
    : [];
  const chunk: ChatCompletionChunk = {
    id: requireString(raw, 'id'),
    object: 'chat.completion.chunk',
    created: requireNumber(raw, 'created'),
    model: requireString(raw, 'model'),
    choices,
  };
  if (typeof raw.system_fingerprint === 'string') chunk.system_fingerprint = raw.system_fingerprint;
  const tier = serviceTier(raw.service_tier);
  if (tier !== undefined) chunk.service_tier = tier;
  const usage = toUsage(raw.usage);
  if (usage !== undefined) chunk.usage = usage;
  return chunk;
}

export function toEmbeddingResult(body: unknown): EmbeddingResult {
  const raw = asRecord(body);
  if (raw === undefined || !Array.isArray(raw.data)) throw malformed('the answer has no data');
  const data = raw.data.map((item: unknown, position) => {
    const entry = asRecord(item);
    const vector = entry?.embedding;
    let embedding: number[];
    if (typeof vector === 'string') {
      embedding = decodeFloat32Base64(vector);
    } else if (Array.isArray(vector) && vector.every((v) => typeof v === 'number')) {
      // The upstream ignored `encoding_format: base64` (some compatibles do).
      embedding = vector;
    } else {
      throw malformed('an embedding is neither base64 nor a number array');
    }
    return { index: typeof entry?.index === 'number' ? entry.index : position, embedding };
  });
  const usage = asRecord(raw.usage);
  const promptTokens = typeof usage?.prompt_tokens === 'number' ? usage.prompt_tokens : 0;
  return {
    model: typeof raw.model === 'string' ? raw.model : '',
    data,
    usage: {
      prompt_tokens: promptTokens,
      total_tokens: typeof usage?.total_tokens === 'number' ? usage.total_tokens : promptTokens,
    },
  };
}

/** OpenAI's base64 embedding: little-endian float32s (what openai-node decodes client-side). */
export function decodeFloat32Base64(encoded: string): number[] {
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.byteLength % 4 !== 0) throw malformed('a base64 embedding is not whole float32s');
  const values = new Array<number>(bytes.byteLength / 4);
  for (let i = 0; i < values.length; i++) values[i] = bytes.readFloatLE(i * 4);
  return values;
}

function toChunkChoice(
  choice: unknown,
  position: number,
  mapFinish: FinishReasonMapper | undefined,
): ChunkChoice {
  const c = asRecord(choice);
  if (c === undefined) throw malformed('a stream choice is not an object');
  const rawDelta = asRecord(c.delta) ?? {};
  const delta: ChunkChoice['delta'] = {};
  if (rawDelta.role === 'assistant') delta.role = 'assistant';
  if (typeof rawDelta.content === 'string' || rawDelta.content === null) {
    delta.content = rawDelta.content;
  }
  if (typeof rawDelta.refusal === 'string' || rawDelta.refusal === null) {
    delta.refusal = rawDelta.refusal;
  }
  if (Array.isArray(rawDelta.tool_calls)) delta.tool_calls = rawDelta.tool_calls.map(toToolDelta);
  const audio = asRecord(rawDelta.audio);
  if (audio !== undefined) delta.audio = audio;
  return {
    index: typeof c.index === 'number' ? c.index : position,
    delta,
    finish_reason: toFinishReason(c.finish_reason, mapFinish),
    logprobs: toLogprobs(c.logprobs),
  };
}

function toToolDelta(call: unknown, position: number): ToolCallDelta {
  const c = asRecord(call);
  if (c === undefined) throw malformed('a tool call delta is not an object');
  const delta: ToolCallDelta = { index: typeof c.index === 'number' ? c.index : position };
  // An empty id continues the call already open at this index (some hosts send `"id": ""`).
  if (typeof c.id === 'string' && c.id !== '') {
    delta.id = c.id;
    // Whole calls sent in one delta sometimes lack `type`; the first delta of a call needs it.
    delta.type = 'function';
  }
  const fn = asRecord(c.function);
  if (fn !== undefined) {
    delta.function = {};
    if (typeof fn.name === 'string') delta.function.name = fn.name;
    if (typeof fn.arguments === 'string') delta.function.arguments = fn.arguments;
  }
  return delta;
}

function toToolCall(call: unknown): ToolCall {
  const c = asRecord(call);
  const fn = asRecord(c?.function);
  if (c === undefined || fn === undefined || typeof fn.name !== 'string') {
    throw malformed('a tool call has no function name');
  }
  return {
    id: typeof c.id === 'string' ? c.id : '',
    type: 'function',
    function: { name: fn.name, arguments: typeof fn.arguments === 'string' ? fn.arguments : '' },
  };
}

/** OpenAI's tiers; a vendor's own (Groq's `on_demand`) would not validate against its schema. */
const SERVICE_TIERS: ReadonlySet<unknown> = new Set([
  'auto',
  'default',
  'flex',
  'scale',
  'priority',
]);

function serviceTier(value: unknown): string | undefined {
  return SERVICE_TIERS.has(value) ? (value as string) : undefined;
}

/** `choices[].logprobs` as the upstream sent it (asked for with `logprobs`), else null. */
function toLogprobs(value: unknown): ChoiceLogprobs | null {
  const raw = asRecord(value);
  if (raw === undefined) return null;
  const content = Array.isArray(raw.content) ? raw.content : null;
  const logprobs: ChoiceLogprobs = { content };
  if (Array.isArray(raw.refusal) || raw.refusal === null) logprobs.refusal = raw.refusal;
  return logprobs;
}

function toUsage(value: unknown): Usage | undefined {
  const raw = asRecord(value);
  if (raw === undefined) return undefined;
  const prompt = typeof raw.prompt_tokens === 'number' ? raw.prompt_tokens : 0;
  const completion = typeof raw.completion_tokens === 'number' ? raw.completion_tokens : 0;
  const usage: Usage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: typeof raw.total_tokens === 'number' ? raw.total_tokens : prompt + completion,
  };
  const cached = asRecord(raw.prompt_tokens_details)?.cached_tokens;
  if (typeof cached === 'number') usage.prompt_tokens_details = { cached_tokens: cached };
  const reasoning = asRecord(raw.completion_tokens_details)?.reasoning_tokens;
  if (typeof reasoning === 'number')
    usage.completion_tokens_details = { reasoning_tokens: reasoning };
  return usage;
}

function toFinishReason(value: unknown, mapFinish?: FinishReasonMapper): FinishReason | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') {
    if (FINISH_REASONS.has(value)) return value as FinishReason;
    const mapped = mapFinish?.(value);
    if (mapped !== undefined) return mapped;
  }
  throw malformed(`unknown finish_reason ${JSON.stringify(value)}`);
}

function asRecord(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : undefined;
}

function nullableString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function requireString(raw: Json, key: string): string {
  const value = raw[key];
  if (typeof value !== 'string') throw malformed(`'${key}' is missing`);
  return value;
}

function requireNumber(raw: Json, key: string): number {
  const value = raw[key];
  if (typeof value !== 'number') throw malformed(`'${key}' is missing`);
  return value;
}

function malformed(detail: string): UpstreamHttpError {
  return new UpstreamHttpError('malformed_response', detail);
}
