import type { AnswerEdit, PiiType } from '../pii.types.js';

/**
 * `text.slice(from, to)` with the edits that lie wholly inside it applied. `edits` are the
 * rewriter's, sorted by `start` and not overlapping; those starting before `from` or ending after
 * `to` are left out (the caller decided that they are not this range's to apply). The type of
 * each applied finding is appended to `findings`, in order; restored tokens have none.
 */
export function applyEdits(
  text: string,
  edits: readonly AnswerEdit[],
  findings: PiiType[],
  from = 0,
  to = text.length,
): string {
  let out = '';
  let at = from;
  for (const edit of edits) {
    if (edit.start < at) continue;
    if (edit.start >= to || edit.end > to) break;
    out += text.slice(at, edit.start) + edit.replacement;
    at = edit.end;
    if (edit.type !== undefined) findings.push(edit.type);
  }
  return out + text.slice(at, to);
}
