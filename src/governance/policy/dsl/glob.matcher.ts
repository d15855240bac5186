/**
 * Globs of the policy DSL: `*` matches any run of characters (the empty one included), every other
 * character is literal, and matching ignores case. No regular expression is ever built from a
 * pattern: a pattern is split on its stars once, at compile time, and matched by anchoring its
 * first and last pieces and finding the others left to right, so a match costs one pass over the
 * value whatever the pattern (greedy leftmost placement is exact when `*` is the only wildcard).
 */

/** The longest glob a rule may hold. */
export const MAX_GLOB_LENGTH = 1000;
/** The most entries an allowlist, denylist or other list of a rule may hold. */
export const MAX_LIST_ENTRIES = 1000;

/** A compiled glob: true when the (already lower-cased) value matches. */
export type GlobTest = (lowerCaseValue: string) => boolean;

const matchAll: GlobTest = () => true;

/** Compiles one glob; the caller has checked its length. */
export function compileGlob(pattern: string): GlobTest {
  const pieces = pattern.toLowerCase().split('*');
  if (pieces.length === 1) {
    const literal = pieces[0];
    return (value) => value === literal;
  }
  const head = pieces[0];
  const tail = pieces[pieces.length - 1];
  // Consecutive stars leave empty pieces between them: they constrain nothing.
  const middle = pieces.slice(1, -1).filter((piece) => piece.length > 0);
  if (head.length === 0 && tail.length === 0 && middle.length === 0) return matchAll;
  const minLength =
    head.length + tail.length + middle.reduce((sum, piece) => sum + piece.length, 0);
  return (value) => {
    if (value.length < minLength || !value.startsWith(head) || !value.endsWith(tail)) return false;
    const end = value.length - tail.length;
    let from = head.length;
    for (const piece of middle) {
      const at = value.indexOf(piece, from);
      if (at < 0 || at + piece.length > end) return false;
      from = at + piece.length;
    }
    return true;
  };
}

/** Whether a value is in a list of globs: literals are looked up in a set, globs tried in order. */
export interface GlobList {
  has(value: string): boolean;
}

/** Compiles a list of globs (the caller has checked every entry); matching ignores case. */
export function compileGlobList(patterns: readonly string[]): GlobList {
  const literals = new Set<string>();
  const globs: GlobTest[] = [];
  for (const pattern of patterns) {
    if (pattern.includes('*')) globs.push(compileGlob(pattern));
    else literals.add(pattern.toLowerCase());
  }
  if (globs.includes(matchAll)) return { has: () => true };
  if (globs.length === 0) return { has: (value) => literals.has(value.toLowerCase()) };
  return {
    has(value) {
      const lower = value.toLowerCase();
      if (literals.has(lower)) return true;
      for (const glob of globs) if (glob(lower)) return true;
      return false;
    },
  };
}
