import type {
  ChatCompletionRequest,
  EmbeddingRequest,
  ToolCall,
} from '../../providers/llm-provider.types.js';
import type { CallKind } from '../pipeline/governance-context.js';

/** One piece of request text the PII stage scans, and may replace before the upstream sees it. */
export interface TextSlot {
  readonly text: string;
  replace(text: string): void;
}

/**
 * Every text of a validated request that reaches the upstream (contract 9.2 scope): each message's
 * text parts (system, user, assistant and tool results alike), the arguments of tool calls replayed
 * in assistant messages (their JSON string values, so a value restored or redacted keeps the JSON
 * valid; arguments that are not JSON are scanned as text), a chat's `prediction` text, and the
 * embeddings input. Images and
 * token-array inputs are not text and are not scanned. `commit` writes replaced arguments back.
 */
export class RequestText {
  readonly slots: TextSlot[] = [];
  private readonly pending: (() => void)[] = [];

  static of(kind: CallKind, body: unknown): RequestText {
    const text = new RequestText();
    if (kind === 'chat') text.chat(body as ChatCompletionRequest);
    else if (kind === 'embeddings') text.embeddings(body as EmbeddingRequest);
    return text;
  }

  /** Writes back the tool-call arguments whose values were replaced. */
  commit(): void {
    for (const write of this.pending) write();
    this.pending.length = 0;
  }

  private chat(body: ChatCompletionRequest): void {
    for (const message of body.messages) {
      const content = message.content;
      if (typeof content === 'string') {
        this.slot(content, (text) => (message.content = text));
      } else if (Array.isArray(content)) {
        for (const part of content) {
          if (part.type === 'text') this.slot(part.text, (text) => (part.text = text));
        }
      }
      for (const call of message.tool_calls ?? []) this.toolArguments(call);
    }
    // A predicted output (contract 4.2 `prediction`) is text the upstream receives too.
    const prediction = body.prediction;
    if (prediction !== undefined) {
      if (typeof prediction.content === 'string') {
        this.slot(prediction.content, (text) => (prediction.content = text));
      } else {
        for (const part of prediction.content) this.slot(part.text, (text) => (part.text = text));
      }
    }
  }

  private embeddings(body: EmbeddingRequest): void {
    const input = body.input;
    if (typeof input === 'string') {
      this.slot(input, (text) => (body.input = text));
    } else if (Array.isArray(input)) {
      input.forEach((item, i) => {
        if (typeof item === 'string') this.slot(item, (text) => ((input as string[])[i] = text));
      });
    }
  }

  private toolArguments(call: ToolCall): void {
    const args = call.function.arguments;
    const tree = parseJson(args);
    if (tree === undefined) {
      this.slot(args, (text) => (call.function.arguments = text));
      return;
    }
    const root = { value: tree.value };
    let changed = false;
    const leaves: TextSlot[] = [];
    if (!collectStrings(root, 'value', leaves, () => (changed = true), 0)) {
      // Nested past what the stage walks: scanned as the text it is.
      this.slot(args, (text) => (call.function.arguments = text));
      return;
    }
    this.slots.push(...leaves);
    this.pending.push(() => {
      if (changed) call.function.arguments = JSON.stringify(root.value);
    });
  }

  private slot(text: string, replace: (text: string) => void): void {
    if (text.length > 0) this.slots.push({ text, replace });
  }
}

/** Deeper JSON than this in tool arguments is scanned as text rather than walked. */
const MAX_JSON_DEPTH = 64;

function parseJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}

/** The string values under `holder[key]` as slots; false when the tree is too deep to walk. */
function collectStrings(
  holder: Record<string | number, unknown>,
  key: string | number,
  out: TextSlot[],
  touched: () => void,
  depth: number,
): boolean {
  const value = holder[key];
  if (typeof value === 'string') {
    if (value.length > 0) {
      out.push({
        text: value,
        replace: (text) => {
          // Defined, not assigned: a key named `__proto__` must stay a key.
          Object.defineProperty(holder, key, {
            value: text,
            enumerable: true,
            writable: true,
            configurable: true,
          });
          touched();
        },
      });
    }
    return true;
  }
  if (typeof value !== 'object' || value === null) return true;
  if (depth >= MAX_JSON_DEPTH) return false;
  const node = value as Record<string | number, unknown>;
  for (const child of Object.keys(node)) {
    if (!collectStrings(node, child, out, touched, depth + 1)) return false;
  }
  return true;
}
