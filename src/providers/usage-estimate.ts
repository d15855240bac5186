import type { ChatMessage, EmbeddingRequest } from './llm-provider.types.js';

/**
 * Rough token counts for when an upstream reports none (the mock provider, budgets checked before a
 * call). No vendor tokenizer: about four characters per token is close enough for English text
 * across the major vendors, and the same estimate everywhere keeps metering comparable.
 */

const CHARS_PER_TOKEN = 4;

/** Role markers and separators every chat format wraps around a message. */
const MESSAGE_OVERHEAD_TOKENS = 4;

/** Tokens in `text`: 0 for the empty string, at least 1 otherwise. */
export function estimateTextTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/**
 * Tokens a chat prompt costs: text content, names, and tool calls (name and arguments) of every
 * message, plus a fixed overhead per message. Images are not counted: their price is per vendor and
 * per resolution, so any fixed figure here would mislead more than it helps.
 */
export function estimatePromptTokens(messages: readonly ChatMessage[]): number {
  let tokens = 0;
  for (const message of messages) tokens += messageTokens(message);
  return tokens;
}

/**
 * Tokens an embeddings input costs. Arrays of numbers are already token ids, so each number counts
 * as exactly one token.
 */
export function estimateEmbeddingInputTokens(input: EmbeddingRequest['input']): number {
  if (typeof input === 'string') return estimateTextTokens(input);
  const items: readonly (string | number | readonly number[])[] = input;
  let tokens = 0;
  for (const item of items) {
    if (typeof item === 'string') tokens += estimateTextTokens(item);
    else if (typeof item === 'number') tokens += 1;
    else tokens += item.length;
  }
  return tokens;
}

function messageTokens(message: ChatMessage): number {
  let tokens = MESSAGE_OVERHEAD_TOKENS;
  if (message.name) tokens += estimateTextTokens(message.name);
  const { content } = message;
  if (typeof content === 'string') {
    tokens += estimateTextTokens(content);
  } else if (Array.isArray(content)) {
    for (const part of content) if (part.type === 'text') tokens += estimateTextTokens(part.text);
  }
  for (const call of message.tool_calls ?? []) {
    tokens += estimateTextTokens(call.function.name) + estimateTextTokens(call.function.arguments);
  }
  return tokens;
}
