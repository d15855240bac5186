/**
 * OpenAI's own pieces of the wire format (wire-formats section 1): its error envelope, usage
 * object, embeddings (float and base64) and models list. The chat answers themselves are built by
 * `fake-openai-compatible.payloads.ts`, shaped by the `openai` dialect. Pure; shared by the fakes
 * and by tests that need the exact values a fake produces (embeddings).
 */
import type { FakeUsageCount } from './dialects/fake-dialect.js';

export { DEFAULT_REPLY_TEXT } from './fake-openai-compatible.payloads.js';
export type { FakeFinishReason, FakeReply, FakeToolCall } from './fake-openai-compatible.types.js';

export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export function openAiError(
  message: string,
  type = 'invalid_request_error',
  code: string | null = null,
  param: string | null = null,
): OpenAiErrorBody {
  return { error: { message, type, param, code } };
}

export type UsageBody = {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; audio_tokens: number };
  completion_tokens_details: {
    reasoning_tokens: number;
    audio_tokens: number;
    accepted_prediction_tokens: number;
    rejected_prediction_tokens: number;
  };
};

/** OpenAI's usage object, details included; `completion_tokens` counts reasoning too. */
export function openAiUsage(count: FakeUsageCount): UsageBody {
  const completion = count.completion + count.reasoning;
  return {
    prompt_tokens: count.prompt,
    completion_tokens: completion,
    total_tokens: count.prompt + completion,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: count.reasoning,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

export function embeddingsBody(
  inputs: readonly string[],
  model: string,
  dimensions: number,
  base64: boolean,
): Record<string, unknown> {
  const tokens = inputs.reduce((sum, text) => sum + Math.max(1, Math.ceil(text.length / 4)), 0);
  return {
    object: 'list',
    data: inputs.map((text, index) => {
      const vector = fakeEmbedding(text, dimensions);
      return {
        object: 'embedding',
        index,
        embedding: base64 ? encodeFloat32Base64(vector) : vector,
      };
    }),
    model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}

/**
 * The fake's deterministic embedding of `text`: multiples of 1/1024 in [-1, 1), exactly
 * representable as float32, so a base64 round trip must reproduce them bit for bit.
 */
export function fakeEmbedding(text: string, dimensions = 8): number[] {
  let seed = 17;
  for (const ch of text) seed = (seed * 31 + (ch.codePointAt(0) ?? 0)) % 1_000_003;
  return Array.from({ length: dimensions }, (_, i) => (((seed + i * 7919) % 2048) - 1024) / 1024);
}

/** Little-endian float32s, base64: OpenAI's `encoding_format: "base64"`. */
export function encodeFloat32Base64(values: readonly number[]): string {
  const bytes = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => bytes.writeFloatLE(v, i * 4));
  return bytes.toString('base64');
}
