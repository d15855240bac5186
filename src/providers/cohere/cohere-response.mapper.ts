import { UpstreamHttpError } from '../http/upstream-http.error.js';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChunkChoice,
  EmbeddingResult,
  FinishReason,
  ToolCall,
  Usage,
} from '../llm-provider.types.js';

/**
 * Pure translation of Cohere's v2 answers into the gateway's (OpenAI's) shapes (wire-formats
 * section 8). Cohere echoes neither the model nor a timestamp, so the caller passes both. A body
 * that cannot be read throws `UpstreamHttpError('malformed_response')`.
 */

export type Json = Record<string, unknown>;

/** What ended a generation: an OpenAI finish reason, or `failed` (Cohere's ERROR and TIMEOUT). */
export type CohereFinish = FinishReason | 'failed';

/**
 * Cohere's `finish_reason` (SDK enum `ChatFinishReason`, wire-formats 18.1). A call that produced
 * tool calls is `tool_calls` whatever Cohere said, since that is what OpenAI clients act on.
 */
export function toFinishReason(value: unknown, hasToolCalls: boolean): CohereFinish {
  switch (value) {
    case 'COMPLETE':
    case 'STOP_SEQUENCE':
      return hasToolCalls ? 'tool_calls' : 'stop';
    case 'MAX_TOKENS':
      return 'length';
    case 'TOOL_CALL':
      return 'tool_calls';
    case 'ERROR':
    case 'TIMEOUT':
      return 'failed';
    default:
      throw malformed(`unknown finish_reason ${JSON.stringify(value)}`);
  }
}

/**
 * `usage.tokens` (what the model processed, the system preamble included) rather than
 * `billed_units` (what Cohere charges), which is the fallback when `tokens` is absent; the cached
 * prompt tokens are kept. Absent usage stays absent: it is never invented here.
 */
export function toUsage(value: unknown): Usage | undefined {
  const raw = asRecord(value);
  if (raw === undefined) return undefined;
  const counts = [asRecord(raw.tokens), asRecord(raw.billed_units)].find(
    (c) => typeof c?.input_tokens === 'number' || typeof c?.output_tokens === 'number',
  );
  if (counts === undefined) return undefined;
  const prompt = numberOr(counts.input_tokens, 0);
  const completion = numberOr(counts.output_tokens, 0);
  const usage: Usage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
  };
  if (typeof raw.cached_tokens === 'number') {
    usage.prompt_tokens_details = { cached_tokens: raw.cached_tokens };
  }
  return usage;
}

/** Cohere's reason when a `/v2/chat` answer reports a failed generation (ERROR, TIMEOUT). */
export function failedFinish(body: unknown): string | undefined {
  const reason = asRecord(body)?.finish_reason;
  return reason === 'ERROR' || reason === 'TIMEOUT' ? reason : undefined;
}

/**
 * A `/v2/chat` answer. The tool plan (Cohere's narration before it calls tools) is the visible
 * text of such a turn, so it becomes the content, as it does when streamed; `thinking` blocks
 * have no place in OpenAI's message and are dropped. Throws when the generation failed.
 */
export function toChatCompletion(body: unknown, model: string, created: number): ChatCompletion {
  const raw = asRecord(body);
  if (raw === undefined) throw malformed('the answer is not a JSON object');
  const message = asRecord(raw.message);
  if (message === undefined) throw malformed('the answer has no message');
  const toolCalls = Array.isArray(message.tool_calls) ? message.tool_calls.map(toToolCall) : [];
  const finish = toFinishReason(raw.finish_reason, toolCalls.length > 0);
  // The adapter refuses failed generations with their own error first (`failedFinish`).
  if (finish === 'failed') throw malformed('the generation failed');
  const text = stringOr(message.tool_plan, '') + contentText(message.content);
  const completion: ChatCompletion = {
    id: requireString(raw, 'id'),
    object: 'chat.completion',
    created,
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: text === '' ? null : text,
          refusal: null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        finish_reason: finish,
        logprobs: null,
      },
    ],
  };
  const usage = toUsage(raw.usage);
  if (usage !== undefined) completion.usage = usage;
  return completion;
}

/** One streamed chunk with a single choice (Cohere streams one candidate). */
export function toChunk(
  id: string,
  model: string,
  created: number,
  delta: ChunkChoice['delta'],
  finishReason: FinishReason | null = null,
): ChatCompletionChunk {
  return {
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
  };
}

/** A `/v2/embed` answer with `embedding_types: ["float"]`. */
export function toEmbeddingResult(body: unknown, model: string): EmbeddingResult {
  const raw = asRecord(body);
  const vectors = asRecord(raw?.embeddings)?.float;
  if (raw === undefined || !Array.isArray(vectors)) {
    throw malformed('the answer has no float embeddings');
  }
  const data = vectors.map((vector: unknown, index) => {
    if (!Array.isArray(vector) || !vector.every((v) => typeof v === 'number')) {
      throw malformed('an embedding is not a number array');
    }
    return { index, embedding: vector };
  });
  const meta = asRecord(raw.meta);
  const tokens = [asRecord(meta?.tokens), asRecord(meta?.billed_units)]
    .map((c) => c?.input_tokens)
    .find((n): n is number => typeof n === 'number');
  return {
    model,
    data,
    // OpenAI's embeddings answer requires usage; 0 marks "not reported" for metering to estimate.
    usage: { prompt_tokens: tokens ?? 0, total_tokens: tokens ?? 0 },
  };
}

export function toToolCall(call: unknown): ToolCall {
  const c = asRecord(call);
  const fn = asRecord(c?.function);
  if (c === undefined || fn === undefined || typeof fn.name !== 'string') {
    throw malformed('a tool call has no function name');
  }
  return {
    id: stringOr(c.id, ''),
    type: 'function',
    function: { name: fn.name, arguments: stringOr(fn.arguments, '') },
  };
}

/** The text of Cohere's content blocks, `thinking` blocks left out. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((block: unknown) => {
      const b = asRecord(block);
      return b?.type === 'text' ? stringOr(b.text, '') : '';
    })
    .join('');
}

export function asRecord(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : undefined;
}

export function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}

function requireString(raw: Json, key: string): string {
  const value = raw[key];
  if (typeof value !== 'string') throw malformed(`'${key}' is missing`);
  return value;
}

export function malformed(detail: string): UpstreamHttpError {
  return new UpstreamHttpError('malformed_response', detail);
}
