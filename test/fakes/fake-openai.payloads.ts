/**
 * The bodies the fake OpenAI server answers with, composed per wire-formats section 1 (the same
 * fields, nulls and ordering the real API sends, including the ones the gateway must strip:
 * `annotations`, `service_tier`, `obfuscation`, `usage: null`). Pure; shared by the fake and by
 * tests that need the exact values the fake produces (embeddings).
 */

export type FakeFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export interface FakeToolCall {
  readonly id: string;
  readonly name: string;
  /** The JSON arguments as a string; streamed in fragments. */
  readonly arguments: string;
}

/** What the fake's assistant says. */
export interface FakeReply {
  /** Assistant text (ignored when `toolCalls` is set). Streamed a few code points per chunk. */
  readonly content?: string;
  readonly toolCalls?: readonly FakeToolCall[];
  /** Defaults to `tool_calls` with tool calls, `stop` otherwise. */
  readonly finishReason?: FakeFinishReason;
  /** Defaults to an estimate from the request and answer sizes. */
  readonly usage?: { readonly prompt_tokens: number; readonly completion_tokens: number };
  /** `null` reproduces the models that send `system_fingerprint: null`. */
  readonly systemFingerprint?: string | null;
  /** Model named in the answer; defaults to the requested one. */
  readonly model?: string;
}

/** Contains multi-byte characters on purpose, so split writes can cut through one. */
export const DEFAULT_REPLY_TEXT = 'Hello from the fake! Grüße, 世界 🌍.';

/** Code points per streamed content chunk (and characters per argument fragment). */
const PIECE = 4;

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

export interface UsageBody {
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
}

export function usageBody(reply: FakeReply, requestBody: unknown): UsageBody {
  const prompt = reply.usage?.prompt_tokens ?? Math.ceil(JSON.stringify(requestBody).length / 4);
  const completion =
    reply.usage?.completion_tokens ?? Math.max(1, Math.ceil(answerText(reply).length / PIECE));
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

export function chatCompletionBody(
  reply: FakeReply,
  id: string,
  model: string,
  usage: UsageBody,
): Record<string, unknown> {
  const toolCalls = reply.toolCalls ?? [];
  const message: Record<string, unknown> = {
    role: 'assistant',
    content: toolCalls.length > 0 ? null : (reply.content ?? DEFAULT_REPLY_TEXT),
    refusal: null,
    annotations: [],
  };
  if (toolCalls.length > 0) {
    message.tool_calls = toolCalls.map((c) => ({
      id: c.id,
      type: 'function',
      function: { name: c.name, arguments: c.arguments },
    }));
  }
  return {
    id,
    object: 'chat.completion',
    created: nowSeconds(),
    model: reply.model ?? model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(reply) }],
    usage,
    service_tier: 'default',
    system_fingerprint: fingerprint(reply),
  };
}

/** The stream's chunks in order; the three kinds let the fake drop or cut some. */
export interface StreamChunks {
  /** Role chunk, then content or tool-call chunks. */
  readonly body: Record<string, unknown>[];
  readonly finish: Record<string, unknown>;
  /** Present only when the request asked `stream_options.include_usage`. */
  readonly usage?: Record<string, unknown>;
}

export function chatStreamChunks(
  reply: FakeReply,
  id: string,
  model: string,
  usage: UsageBody,
  includeUsage: boolean,
): StreamChunks {
  const created = nowSeconds();
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model: reply.model ?? model,
    service_tier: 'default',
    system_fingerprint: fingerprint(reply),
    choices,
    ...(includeUsage ? { usage: null } : {}),
    obfuscation: 'fAk3',
    ...extra,
  });
  const choice = (delta: Record<string, unknown>, finish: string | null = null) => ({
    index: 0,
    delta,
    logprobs: null,
    finish_reason: finish,
  });

  const toolCalls = reply.toolCalls ?? [];
  const body = [
    chunk([
      choice({ role: 'assistant', content: toolCalls.length > 0 ? null : '', refusal: null }),
    ]),
  ];
  if (toolCalls.length > 0) {
    toolCalls.forEach((call, index) => {
      body.push(
        chunk([
          choice({
            tool_calls: [
              {
                index,
                id: call.id,
                type: 'function',
                function: { name: call.name, arguments: '' },
              },
            ],
          }),
        ]),
      );
      for (const fragment of pieces(call.arguments)) {
        body.push(chunk([choice({ tool_calls: [{ index, function: { arguments: fragment } }] })]));
      }
    });
  } else {
    for (const piece of pieces(reply.content ?? DEFAULT_REPLY_TEXT)) {
      body.push(chunk([choice({ content: piece })]));
    }
  }
  return {
    body,
    finish: chunk([choice({}, finishReason(reply))]),
    usage: includeUsage ? chunk([], { usage }) : undefined,
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

export function modelsBody(ids: readonly string[]): Record<string, unknown> {
  return {
    object: 'list',
    data: ids.map((id) => ({ id, object: 'model', created: 1_721_172_741, owned_by: 'system' })),
  };
}

function answerText(reply: FakeReply): string {
  return reply.toolCalls && reply.toolCalls.length > 0
    ? reply.toolCalls.map((c) => c.arguments).join('')
    : (reply.content ?? DEFAULT_REPLY_TEXT);
}

function finishReason(reply: FakeReply): FakeFinishReason {
  return reply.finishReason ?? (reply.toolCalls?.length ? 'tool_calls' : 'stop');
}

function fingerprint(reply: FakeReply): string | null {
  return reply.systemFingerprint === undefined ? 'fp_fake0001' : reply.systemFingerprint;
}

/** Splits by code points, never inside a surrogate pair. */
function pieces(text: string): string[] {
  const points = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < points.length; i += PIECE) out.push(points.slice(i, i + PIECE).join(''));
  return out;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
