import type { ToolCallDelta } from '../../../providers/llm-provider.types.js';
import type { AnswerRewriter, PiiType } from '../pii.types.js';

/** A streamed tool call let go of: one delta carrying the whole call, and its findings. */
export interface ReleasedToolCall {
  readonly delta: ToolCallDelta;
  readonly findings: readonly PiiType[];
}

interface HeldToolCall {
  readonly index: number;
  id?: string;
  type?: 'function';
  name?: string;
  arguments: string;
}

/**
 * The tool calls of one streamed choice, held until each is complete: arguments are JSON, and
 * only whole arguments can be rewritten (`AnswerRewriter.rewriteArguments`). A call is complete
 * when a fragment for another index starts one, or when the choice finishes or the stream ends
 * ({@link flush}); it is then released as one delta with the index, the id, type and name as
 * its fragments first gave them, and the rewritten arguments.
 *
 * Streams send the calls of a choice one after the other (OpenAI's order). Should a fragment
 * arrive for a call already released (calls interleaved), it starts a new hold like a new call:
 * the calls then held are released, and it is released later without id or name, its arguments
 * rewritten on their own. The caller's per-index concatenation still gets every fragment, but
 * PII cut by that interleaving is not seen whole.
 */
export class ToolCallHoldback {
  private readonly held = new Map<number, HeldToolCall>();

  constructor(private readonly rewriter: Pick<AnswerRewriter, 'rewriteArguments'>) {}

  /** Whether any call is held. */
  get holding(): boolean {
    return this.held.size > 0;
  }

  /** Takes one chunk's fragments; releases the calls they show to be complete, in order. */
  push(fragments: readonly ToolCallDelta[]): ReleasedToolCall[] {
    const released: ReleasedToolCall[] = [];
    for (const fragment of fragments) {
      let call = this.held.get(fragment.index);
      if (call === undefined) {
        released.push(...this.flush());
        call = { index: fragment.index, arguments: '' };
        this.held.set(fragment.index, call);
      }
      call.id ??= fragment.id;
      call.type ??= fragment.type;
      call.name ??= fragment.function?.name;
      call.arguments += fragment.function?.arguments ?? '';
    }
    return released;
  }

  /** Releases every held call, in the order they started. */
  flush(): ReleasedToolCall[] {
    const released = [...this.held.values()].map((call) => this.release(call));
    this.held.clear();
    return released;
  }

  private release(call: HeldToolCall): ReleasedToolCall {
    const rewritten =
      call.arguments === ''
        ? { text: '', found: [] }
        : this.rewriter.rewriteArguments(call.arguments);
    const delta: ToolCallDelta = { index: call.index };
    if (call.id !== undefined) delta.id = call.id;
    if (call.type !== undefined) delta.type = call.type;
    delta.function =
      call.name === undefined
        ? { arguments: rewritten.text }
        : { name: call.name, arguments: rewritten.text };
    return { delta, findings: rewritten.found };
  }
}
