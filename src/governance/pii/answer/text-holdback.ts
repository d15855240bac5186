import type { AnswerEdit, PiiType } from '../pii.types.js';
import { applyEdits } from './answer-edits.js';

/** What a {@link TextHoldback} lets go of: rewritten text, and the findings inside it. */
export interface TextRelease {
  readonly text: string;
  /** The PII types of the findings (typed edits) applied in `text`, in order. */
  readonly findings: readonly PiiType[];
}

/**
 * How far past `holdbackChars` the held text may grow while a finding in progress needs it (an
 * edit that has begun before the commit point but not ended): past this many times the holdback,
 * the held text is released as if the text had ended there.
 */
export const HOLD_CEILING_FACTOR = 4;

const NOTHING: TextRelease = { text: '', findings: [] };

/**
 * The incremental text transducer of a streamed answer field (one choice's `content` or
 * `refusal`): takes the deltas as they come and releases the rewritten text as soon as it is
 * safe, holding back at most `holdbackChars` characters.
 *
 * On each delta it scans `context + pending`, where `pending` is the text not yet released and
 * `context` the last `holdbackChars` characters of the original text already released, so that a
 * rule that looks behind (a digit run must not continue one) sees them; edits starting inside the
 * context were decided before and are ignored. It releases up to the commit point: the end minus
 * `holdbackChars`, moved back to the start of an edit that starts before it and ends after it, and
 * never between the two halves of a surrogate pair. Only edits wholly before the commit point
 * are applied. Each scan covers at most `(1 + HOLD_CEILING_FACTOR) * holdbackChars` characters
 * plus the delta: the cost per delta does not grow with the answer.
 *
 * Exactness. For any text and any split of it into deltas, the released text equals
 * `applyEdits(text, edits(text))` and the findings are the same, provided the rewriter is local
 * at this scale: the rewriter gives an edit on a piece of the text whenever it gives it on the
 * whole and conversely, as long as the piece extends `holdbackChars` before the edit (or starts
 * where the text starts) and, after the edit's end, as far as the rule needs to see to decide it
 * (or ends where the text ends); and every edit's span plus that lookahead is at most
 * `holdbackChars`. The held text then exceeds `holdbackChars` only while an edit straddles the
 * commit point.
 *
 * Beyond those terms (an edit the rules keep extending, such as an ever longer email-like run),
 * the held text is capped: when it would exceed `HOLD_CEILING_FACTOR * holdbackChars`, all of it
 * is released, rewritten as if the text ended there (the finding in progress is rewritten as far
 * as it got). What follows is judged on its own: the rest of a finding that runs on past that
 * point may go out unrewritten.
 *
 * With `holdbackChars` 0 every delta is released at once, rewritten on its own.
 */
export class TextHoldback {
  private context = '';
  private pending = '';
  private readonly ceiling: number;

  constructor(
    private readonly edits: (text: string) => readonly AnswerEdit[],
    private readonly holdbackChars: number,
  ) {
    assertHoldback(holdbackChars);
    this.ceiling = HOLD_CEILING_FACTOR * holdbackChars;
  }

  /** How many characters of original text are held. */
  get heldChars(): number {
    return this.pending.length;
  }

  /** Takes the next delta; releases what has become safe. */
  push(delta: string): TextRelease {
    if (delta === '') return NOTHING;
    this.pending += delta;
    // The commit point cannot pass the start of the pending text yet: no scan needed.
    if (this.pending.length <= this.holdbackChars) return NOTHING;
    return this.release(false);
  }

  /** The text ended (for now): releases everything held, rewritten as complete. */
  flush(): TextRelease {
    if (this.pending === '') return NOTHING;
    return this.release(true);
  }

  private release(final: boolean): TextRelease {
    const window = this.context + this.pending;
    const from = this.context.length;
    const edits = this.edits(window);
    const commit = final ? window.length : this.commitPoint(window, from, edits);
    if (commit === from) return NOTHING;
    const findings: PiiType[] = [];
    const text = applyEdits(window, edits, findings, from, commit);
    this.context = window.slice(Math.max(0, commit - this.holdbackChars), commit);
    this.pending = window.slice(commit);
    return { text, findings };
  }

  private commitPoint(window: string, from: number, edits: readonly AnswerEdit[]): number {
    let commit = window.length - this.holdbackChars;
    if (isLowSurrogate(window.charCodeAt(commit)) && isHighSurrogate(window.charCodeAt(commit - 1)))
      commit -= 1;
    for (const edit of edits) {
      if (edit.start >= commit) break;
      if (edit.start >= from && edit.end > commit) {
        // Sorted and not overlapping: no earlier edit can reach past this one's start.
        commit = edit.start;
        break;
      }
    }
    return window.length - commit > this.ceiling ? window.length : commit;
  }
}

/** Throws a `RangeError` unless `holdbackChars` is a non-negative integer. */
export function assertHoldback(holdbackChars: number): void {
  if (!Number.isSafeInteger(holdbackChars) || holdbackChars < 0) {
    throw new RangeError(`holdbackChars must be a non-negative integer, got ${holdbackChars}`);
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
