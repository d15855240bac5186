/**
 * What the fake Bedrock sends (wire-formats 5.2, 5.3, 5): Converse bodies, the ordered events of a
 * ConverseStream (inner JSON payloads, `p` padding included), and Titan embeddings. Pure.
 */

export const DEFAULT_REPLY_TEXT = 'Hello from the fake Bedrock model! 👋 Ça va?';

export interface FakeBedrockToolUse {
  /** Defaults to `tooluse_<n>`. */
  readonly id?: string;
  readonly name: string;
  readonly input: Record<string, unknown>;
}

/** The assistant's answer, as the test wants it. */
export interface FakeBedrockReply {
  /** Defaults to {@link DEFAULT_REPLY_TEXT} when there are no tool uses, to none otherwise. */
  readonly text?: string;
  readonly toolUses?: readonly FakeBedrockToolUse[];
  /** Defaults to `tool_use` with tool uses, `end_turn` otherwise. */
  readonly stopReason?: string;
  /** Overrides the computed usage; `null` leaves usage out (a `metadata` event without it). */
  readonly usage?: FakeUsage | null;
  /** A reasoning block before the answer, as Claude's extended thinking sends it. */
  readonly reasoning?: string;
}

export interface FakeUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly totalTokens: number;
  readonly cacheReadInputTokens?: number;
  readonly cacheWriteInputTokens?: number;
}

/** One ConverseStream event: `:event-type` and its JSON payload. */
export interface FakeStreamEvent {
  readonly type: string;
  readonly payload: Record<string, unknown>;
}

interface ResolvedToolUse {
  readonly id: string;
  readonly name: string;
  readonly input: Record<string, unknown>;
}

export function resolveReply(reply: FakeBedrockReply): {
  text: string | undefined;
  toolUses: ResolvedToolUse[];
  stopReason: string;
} {
  const toolUses = (reply.toolUses ?? []).map((use, i) => ({
    id: use.id ?? `tooluse_fake${i + 1}`,
    name: use.name,
    input: use.input,
  }));
  const text = reply.text ?? (toolUses.length === 0 ? DEFAULT_REPLY_TEXT : undefined);
  return {
    text,
    toolUses,
    stopReason: reply.stopReason ?? (toolUses.length > 0 ? 'tool_use' : 'end_turn'),
  };
}

/** Counts like a tokenizer would, roughly: one token per four characters. */
export function usageFor(reply: FakeBedrockReply, promptText: string): FakeUsage | undefined {
  if (reply.usage === null) return undefined;
  if (reply.usage !== undefined) return reply.usage;
  const { text, toolUses } = resolveReply(reply);
  const output = (text ?? '') + toolUses.map((u) => JSON.stringify(u.input)).join('');
  const inputTokens = Math.max(1, Math.ceil(promptText.length / 4));
  const outputTokens = Math.max(1, Math.ceil(output.length / 4));
  return { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
}

export function converseBody(
  reply: FakeBedrockReply,
  usage: FakeUsage | undefined,
): Record<string, unknown> {
  const { text, toolUses, stopReason } = resolveReply(reply);
  const content: Record<string, unknown>[] = [];
  if (reply.reasoning !== undefined) {
    content.push({
      reasoningContent: { reasoningText: { text: reply.reasoning, signature: 'sig-fake' } },
    });
  }
  if (text !== undefined) content.push({ text });
  for (const use of toolUses) {
    content.push({ toolUse: { toolUseId: use.id, name: use.name, input: use.input } });
  }
  return {
    output: { message: { role: 'assistant', content } },
    stopReason,
    ...(usage === undefined ? {} : { usage }),
    metrics: { latencyMs: 42 },
  };
}

/**
 * The events of a ConverseStream, in Bedrock's order: text blocks get no `contentBlockStart`, tool
 * inputs arrive as JSON string fragments, `metadata` (usage) comes after `messageStop`.
 */
export function streamEvents(
  reply: FakeBedrockReply,
  usage: FakeUsage | undefined,
): FakeStreamEvent[] {
  const { text, toolUses, stopReason } = resolveReply(reply);
  const events: FakeStreamEvent[] = [{ type: 'messageStart', payload: { role: 'assistant' } }];
  let block = 0;
  if (reply.reasoning !== undefined) {
    for (const piece of pieces(reply.reasoning, 8)) {
      events.push(delta(block, { reasoningContent: { text: piece } }));
    }
    events.push(delta(block, { reasoningContent: { signature: 'sig-fake' } }));
    events.push({ type: 'contentBlockStop', payload: { contentBlockIndex: block++ } });
  }
  if (text !== undefined) {
    for (const piece of pieces(text, 6)) events.push(delta(block, { text: piece }));
    events.push({ type: 'contentBlockStop', payload: { contentBlockIndex: block++ } });
  }
  for (const use of toolUses) {
    events.push({
      type: 'contentBlockStart',
      payload: {
        contentBlockIndex: block,
        start: { toolUse: { toolUseId: use.id, name: use.name } },
      },
    });
    for (const piece of pieces(JSON.stringify(use.input), 7)) {
      events.push(delta(block, { toolUse: { input: piece } }));
    }
    events.push({ type: 'contentBlockStop', payload: { contentBlockIndex: block++ } });
  }
  events.push({ type: 'messageStop', payload: { stopReason } });
  events.push({
    type: 'metadata',
    payload: { ...(usage === undefined ? {} : { usage }), metrics: { latencyMs: 42 } },
  });
  return events.map((event) => ({ ...event, payload: { ...event.payload, p: padding(event) } }));
}

/** Titan-like: a fixed vector per text, so tests can compare exact values. */
export function fakeBedrockEmbedding(text: string, dimensions = 1024): number[] {
  let seed = 0;
  for (const char of text) seed = (seed * 31 + char.codePointAt(0)!) % 1_000_003;
  return Array.from({ length: dimensions }, (_, i) => {
    const value = ((seed + (i + 1) * 7_919) % 2_001) / 1_000 - 1;
    return Math.round(value * 1_000_000) / 1_000_000;
  });
}

export function titanBody(text: string, dimensions: number): Record<string, unknown> {
  return {
    embedding: fakeBedrockEmbedding(text, dimensions),
    embeddingsByType: { float: fakeBedrockEmbedding(text, dimensions) },
    inputTextTokenCount: Math.max(1, Math.ceil(text.length / 4)),
  };
}

function delta(index: number, value: Record<string, unknown>): FakeStreamEvent {
  return { type: 'contentBlockDelta', payload: { contentBlockIndex: index, delta: value } };
}

/** Cuts a string into pieces of `size` code points (never inside a character). */
function pieces(text: string, size: number): string[] {
  const chars = [...text];
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''));
  return out;
}

/** AWS pads payloads with a random-length `p` so sizes leak nothing; clients ignore it. */
function padding(event: FakeStreamEvent): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const length = 4 + (JSON.stringify(event.payload).length % 23);
  return alphabet.slice(0, length);
}
