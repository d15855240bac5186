/**
 * The bodies the fake Cohere server answers with, composed per wire-formats section 8: v2 chat
 * answers (`message.content` blocks, `tool_plan`, `tool_calls`, upper-case `finish_reason`, usage
 * as `billed_units` + `tokens` + `cached_tokens`), the named stream events in Cohere's order, the
 * `embeddings_by_type` embed answer and the `{id, message}` error body. Pure; shared by the fake
 * and by tests that need the exact values it produces.
 */

export type FakeCohereFinishReason =
  'COMPLETE' | 'STOP_SEQUENCE' | 'MAX_TOKENS' | 'TOOL_CALL' | 'ERROR' | 'TIMEOUT';

export interface FakeCohereToolCall {
  readonly id: string;
  readonly name: string;
  /** JSON arguments as a string; streamed in fragments. */
  readonly arguments: string;
}

/** What the fake's assistant says. */
export interface FakeCohereReply {
  /** Answer text (ignored when `toolCalls` is set). Streamed a few code points per event. */
  readonly content?: string;
  /** A `thinking` block before the text, as Cohere's reasoning models send. */
  readonly thinking?: string;
  /** The plan Cohere narrates before tool calls; defaults to one naming the tools. */
  readonly toolPlan?: string;
  readonly toolCalls?: readonly FakeCohereToolCall[];
  /** Defaults to TOOL_CALL with tool calls, COMPLETE otherwise. ERROR and TIMEOUT fail. */
  readonly finishReason?: FakeCohereFinishReason;
  /** Token counts; `null` sends no usage at all. Defaults to an estimate from the sizes. */
  readonly usage?: { readonly inputTokens: number; readonly outputTokens: number } | null;
  readonly cachedTokens?: number;
}

/** Contains multi-byte characters on purpose, so split writes can cut through one. */
export const DEFAULT_COHERE_REPLY_TEXT = 'Hello from the fake Cohere! Grüße, 世界 🌍.';

/** Said by the fake in `message-end.delta.error` when a generation fails. */
export const FAKE_GENERATION_ERROR = 'internal error: the model failed while generating';

/** Code points per streamed text event (and characters per argument fragment). */
const PIECE = 4;

export interface CohereErrorBody {
  id: string;
  message: string;
}

export function cohereError(message: string): CohereErrorBody {
  return { id: `fake-${Math.random().toString(16).slice(2, 10)}`, message };
}

export interface CohereUsageBody {
  billed_units: { input_tokens: number; output_tokens: number };
  tokens: { input_tokens: number; output_tokens: number };
  cached_tokens?: number;
}

export function usageBody(reply: FakeCohereReply, requestBody: unknown): CohereUsageBody | null {
  if (reply.usage === null) return null;
  const input = reply.usage?.inputTokens ?? Math.ceil(JSON.stringify(requestBody).length / 4);
  const output = reply.usage?.outputTokens ?? Math.max(1, Math.ceil(answerText(reply).length / 4));
  const usage: CohereUsageBody = {
    // Billed units leave out the preamble Cohere adds, so they are smaller than the tokens.
    billed_units: { input_tokens: Math.max(1, input - 3), output_tokens: output },
    tokens: { input_tokens: input, output_tokens: output },
  };
  if (reply.cachedTokens !== undefined) usage.cached_tokens = reply.cachedTokens;
  return usage;
}

export function finishReason(reply: FakeCohereReply): FakeCohereFinishReason {
  return reply.finishReason ?? (reply.toolCalls?.length ? 'TOOL_CALL' : 'COMPLETE');
}

/** A non-streamed `/v2/chat` answer. */
export function chatBody(
  reply: FakeCohereReply,
  id: string,
  usage: CohereUsageBody | null,
): Record<string, unknown> {
  const toolCalls = reply.toolCalls ?? [];
  const message: Record<string, unknown> = { role: 'assistant' };
  if (toolCalls.length > 0) {
    message.tool_plan = toolPlan(reply);
    message.tool_calls = toolCalls.map((c) => ({
      id: c.id,
      type: 'function',
      function: { name: c.name, arguments: c.arguments },
    }));
  } else {
    const content: Record<string, unknown>[] = [];
    if (reply.thinking !== undefined) content.push({ type: 'thinking', thinking: reply.thinking });
    content.push({ type: 'text', text: reply.content ?? DEFAULT_COHERE_REPLY_TEXT });
    message.content = content;
  }
  const finish = finishReason(reply);
  const body: Record<string, unknown> = { id, message, finish_reason: finish };
  if (usage !== null) body.usage = usage;
  return body;
}

export interface CohereEvent {
  readonly type: string;
  readonly [key: string]: unknown;
}

/** The stream's events in Cohere's order; `end` is `message-end`, apart so plans can drop it. */
export function streamEvents(
  reply: FakeCohereReply,
  id: string,
  usage: CohereUsageBody | null,
): { body: CohereEvent[]; end: CohereEvent } {
  const body: CohereEvent[] = [
    {
      id,
      type: 'message-start',
      delta: {
        message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] },
      },
    },
  ];
  const toolCalls = reply.toolCalls ?? [];
  if (toolCalls.length > 0) {
    for (const piece of pieces(toolPlan(reply))) {
      body.push({ type: 'tool-plan-delta', delta: { message: { tool_plan: piece } } });
    }
    toolCalls.forEach((call, index) => {
      body.push({
        type: 'tool-call-start',
        index,
        delta: {
          message: {
            tool_calls: {
              id: call.id,
              type: 'function',
              function: { name: call.name, arguments: '' },
            },
          },
        },
      });
      for (const fragment of pieces(call.arguments)) {
        body.push({
          type: 'tool-call-delta',
          index,
          delta: { message: { tool_calls: { function: { arguments: fragment } } } },
        });
      }
      body.push({ type: 'tool-call-end', index });
    });
  } else {
    let index = 0;
    if (reply.thinking !== undefined) {
      body.push(...contentBlock(index++, 'thinking', reply.thinking));
    }
    body.push(...contentBlock(index, 'text', reply.content ?? DEFAULT_COHERE_REPLY_TEXT));
  }
  const finish = finishReason(reply);
  const delta: Record<string, unknown> = { finish_reason: finish };
  if (finish === 'ERROR' || finish === 'TIMEOUT') delta.error = FAKE_GENERATION_ERROR;
  if (usage !== null) delta.usage = usage;
  return { body, end: { type: 'message-end', delta } };
}

/** The `message-end` a stream that fails mid-way ends with. */
export function failedEnd(): CohereEvent {
  return {
    type: 'message-end',
    delta: { finish_reason: 'ERROR', error: FAKE_GENERATION_ERROR },
  };
}

/** A `/v2/embed` answer with float vectors ({@link fakeCohereEmbedding} gives the values). */
export function embedBody(
  texts: readonly string[],
  dimensions: number,
  id: string,
): Record<string, unknown> {
  const tokens = texts.reduce((sum, text) => sum + Math.max(1, Math.ceil(text.length / 4)), 0);
  return {
    id,
    texts,
    embeddings: { float: texts.map((text) => fakeCohereEmbedding(text, dimensions)) },
    meta: { api_version: { version: '2' }, billed_units: { input_tokens: tokens } },
    response_type: 'embeddings_by_type',
  };
}

/** The fake's deterministic embedding of `text`: multiples of 1/1024 in [-1, 1). */
export function fakeCohereEmbedding(text: string, dimensions = 8): number[] {
  let seed = 29;
  for (const ch of text) seed = (seed * 37 + (ch.codePointAt(0) ?? 0)) % 1_000_003;
  return Array.from({ length: dimensions }, (_, i) => (((seed + i * 7717) % 2048) - 1024) / 1024);
}

function contentBlock(index: number, kind: 'text' | 'thinking', text: string): CohereEvent[] {
  const events: CohereEvent[] = [
    {
      type: 'content-start',
      index,
      delta: { message: { content: { type: kind, [kind]: '' } } },
    },
  ];
  for (const piece of pieces(text)) {
    events.push({
      type: 'content-delta',
      index,
      delta: { message: { content: { [kind]: piece } } },
    });
  }
  events.push({ type: 'content-end', index });
  return events;
}

function toolPlan(reply: FakeCohereReply): string {
  return (
    reply.toolPlan ??
    `I will use ${(reply.toolCalls ?? []).map((c) => c.name).join(' and ')} to answer.`
  );
}

function answerText(reply: FakeCohereReply): string {
  return reply.toolCalls && reply.toolCalls.length > 0
    ? reply.toolCalls.map((c) => c.arguments).join('')
    : (reply.content ?? DEFAULT_COHERE_REPLY_TEXT);
}

/** Splits by code points, never inside a surrogate pair. */
function pieces(text: string): string[] {
  const points = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < points.length; i += PIECE) out.push(points.slice(i, i + PIECE).join(''));
  return out;
}
