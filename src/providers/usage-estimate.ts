import { hash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { ChatMessage, EmbeddingRequest } from './llm-provider.types.js';

/**
 * Token counts for when an upstream reports none (the mock provider, a stream cut short) and for
 * what is reserved before a call (budgets, rate limits). With the tokenizer loaded
 * ({@link loadTokenizer}, done by the metering module once a budget exists), text is counted with
 * `gpt-tokenizer`'s o200k encoding: exact for current OpenAI models and within a few percent for
 * the other major vendors' English. Without it, or past the per-call character allowance (the
 * tokenizer costs about 20 µs per KB), about four characters per token, which overestimates
 * English slightly: the safe side for a reservation. Counts of texts seen recently are looked up
 * rather than tokenized again ({@link CountMemo}).
 */

const CHARS_PER_TOKEN = 4;

/** Role markers and separators every chat format wraps around a message. */
const MESSAGE_OVERHEAD_TOKENS = 4;

type TokenCounter = (text: string) => number;

let counter: TokenCounter | undefined;
let allowance = 16_384;

/**
 * Loads the o200k tokenizer (about 0.6 s and 60 MB once per process) and counts with it from
 * then on, for texts of one call up to `maxChars` characters in all.
 */
export async function loadTokenizer(maxChars: number): Promise<void> {
  const { countTokens } = await import('gpt-tokenizer/encoding/o200k_base');
  const memo = new CountMemo(MEMO_MAX_TEXTS, MEMO_MAX_TEXT_CHARS);
  counter = (text) => memo.count(text, (t) => countTokens(t, AS_PLAIN_TEXT));
  allowance = maxChars;
}

/**
 * A caller's text is text: `<|endoftext|>` in a prompt is counted as the characters it is (as the
 * vendors tokenize user content), not refused, which the tokenizer does by default (it throws,
 * and the estimate would then be lost).
 */
const AS_PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

/**
 * Texts whose counts the memo keeps. Calls repeat most of their text: the same system prompt on
 * every call, and a conversation's earlier turns on each of its later calls, so each text is
 * tokenized once and looked up after.
 */
const MEMO_MAX_TEXTS = 16_384;

/** Texts longer than this are counted every time rather than kept. */
const MEMO_MAX_TEXT_CHARS = 64 * 1024;

/**
 * Token counts of recently counted texts, least recently used dropped first past `maxTexts`
 * (`lru-cache`). A text is kept only as its SHA-256 digest: no prompt outlives its call in this
 * memo (a heap snapshot shows digests and counts). Hashing costs about a tenth of tokenizing.
 */
export class CountMemo {
  private readonly counts: LRUCache<string, number>;

  constructor(
    maxTexts: number,
    private readonly maxTextChars: number,
  ) {
    this.counts = new LRUCache<string, number>({ max: maxTexts });
  }

  count(text: string, tokenize: (text: string) => number): number {
    if (text.length > this.maxTextChars) return tokenize(text);
    const key = hash('sha256', text, 'base64');
    const known = this.counts.get(key);
    if (known !== undefined) return known;
    const tokens = tokenize(text);
    this.counts.set(key, tokens);
    return tokens;
  }

  /** Texts kept. */
  get size(): number {
    return this.counts.size;
  }

  /** What the memo holds as keys (digests), for tests that check no text is kept. */
  keys(): string[] {
    return [...this.counts.keys()];
  }
}

/** Whether counts come from the tokenizer (after {@link loadTokenizer}). */
export function tokenizerLoaded(): boolean {
  return counter !== undefined;
}

/** Characters still to be tokenized in one estimate; past them, the character rule. */
class Allowance {
  constructor(public left: number) {}

  count(text: string): number {
    if (text.length === 0) return 0;
    if (counter !== undefined && text.length <= this.left) {
      this.left -= text.length;
      return counter(text);
    }
    return Math.ceil(text.length / CHARS_PER_TOKEN);
  }
}

/** Tokens in `text`: 0 for the empty string, at least 1 otherwise. */
export function estimateTextTokens(text: string): number {
  return new Allowance(allowance).count(text);
}

/**
 * Tokens a chat prompt costs: text content, names, and tool calls (name and arguments) of every
 * message, plus a fixed overhead per message. Images are not counted: their price is per vendor and
 * per resolution, so any fixed figure here would mislead more than it helps.
 */
export function estimatePromptTokens(messages: readonly ChatMessage[]): number {
  const budget = new Allowance(allowance);
  let tokens = 0;
  for (const message of messages) tokens += messageTokens(message, budget);
  return tokens;
}

/**
 * Tokens of several texts of one answer (the delivered parts of a stream), counted as one text
 * within the same allowance.
 */
export function estimateDeliveredTokens(parts: readonly string[]): number {
  return new Allowance(allowance).count(parts.join(''));
}

/**
 * Tokens an embeddings input costs. Arrays of numbers are already token ids, so each number counts
 * as exactly one token.
 */
export function estimateEmbeddingInputTokens(input: EmbeddingRequest['input']): number {
  const budget = new Allowance(allowance);
  if (typeof input === 'string') return budget.count(input);
  const items: readonly (string | number | readonly number[])[] = input;
  let tokens = 0;
  for (const item of items) {
    if (typeof item === 'string') tokens += budget.count(item);
    else if (typeof item === 'number') tokens += 1;
    else tokens += item.length;
  }
  return tokens;
}

function messageTokens(message: ChatMessage, budget: Allowance): number {
  let tokens = MESSAGE_OVERHEAD_TOKENS;
  if (message.name) tokens += budget.count(message.name);
  const { content } = message;
  if (typeof content === 'string') {
    tokens += budget.count(content);
  } else if (Array.isArray(content)) {
    for (const part of content) if (part.type === 'text') tokens += budget.count(part.text);
  }
  for (const call of message.tool_calls ?? []) {
    tokens += budget.count(call.function.name) + budget.count(call.function.arguments);
  }
  return tokens;
}
