import type { ParsedPattern, PatternNode } from './pattern-parser.js';
import { Measure, reversed } from './pattern-measure.js';
import { Region } from './pattern-region.js';

/**
 * Whether a custom pattern can make V8's backtracking matcher do much more than linear work, read
 * from its structure. Every rule over-approximates what the pattern can match (a group is read as
 * the set of all characters it can match, an assertion as always passing, a backreference as any
 * text its group can match), so a pattern it passes is safe under those approximations, and some
 * safe patterns are refused.
 *
 * The rules, in order:
 *  1. nested quantifier: a repetition that offers a choice (`?`, `*`, `+`, `{n,m}` with n < m)
 *     inside a repetition that can run more than once (`(a+)+`, `(a?){2}`, `(\w+\s?)*`); one with
 *     a fixed count (`(\d{3}-){2}`) offers none and is allowed;
 *  2. overlapping alternatives: an alternation inside such a repetition whose alternatives can
 *     start with the same character, or one of which can match the empty string (`(a|aa)+`,
 *     `(\w|\d)+`, `(a|)+`): the number of ways to split a text grows exponentially;
 *  3. adjacent repeats: a repetition offering a choice and running more than once, followed
 *     (through anything able to match text that both can match: nothing, `-?`, another `0`...) by
 *     another repetition running more than once, the two able to match a common character
 *     (`\d+\d+x`, `[a-z]*\w+@`, `.*.*=`, `\d+0\d+x`): the text between them can be shared out in
 *     polynomially many ways, 64^k per start with the repetition cap;
 *  4. too long a match: what one attempt can read, counting an unbounded repetition as the cap,
 *     lookarounds included, and a backreference as the longest text of its group;
 *  5. too many ways: the remaining choices (an optional part, an alternation, a repetition's
 *     "once more or stop") whose branches can start with the same character, or all run a
 *     lookaround first, multiply (`a?a?a?a?a?a?a?a?aaaaaaaa`, `(?:a|a)(?:a|a)...`); times what a
 *     wrongly chosen branch reads before it fails (its own text, then the text the choice could
 *     have taken, lookarounds included), the product bounds the work per start position.
 *
 * Rules 1 and 2 leave a repetition's body without a choice that matters, which is what lets
 * rules 3 and 5 read such a repetition as one opaque step. A lookaround's body is checked the
 * same way on its own (a lookbehind's backwards, as V8 matches it), its choices multiplying the
 * pattern's.
 */
export type BacktrackingRisk =
  | { readonly kind: 'nested-quantifier' }
  | { readonly kind: 'overlapping-alternatives' }
  | { readonly kind: 'adjacent-repeats' }
  | { readonly kind: 'long-match'; readonly length: number }
  | { readonly kind: 'ambiguous-choices'; readonly steps: number };

export interface BacktrackingLimits {
  /** Unbounded repetitions (`*`, `+`, `{n,}`) match at most this many times (compileCustomPatterns). */
  readonly maxRepeat: number;
  /** Rule 4: the most one attempt may read. */
  readonly maxMatchLength: number;
  /** Rule 5: the most steps (ways × text re-read) one attempt may take. */
  readonly maxSteps: number;
}

export function findBacktrackingRisk(
  pattern: ParsedPattern,
  limits: BacktrackingLimits,
): BacktrackingRisk | undefined {
  if (hasNestedQuantifier(pattern.root, false)) return { kind: 'nested-quantifier' };
  const measure = new Measure(pattern, limits.maxRepeat);
  if (hasOverlappingAlternatives(pattern.root, false, measure)) {
    return { kind: 'overlapping-alternatives' };
  }
  const regions = Region.all(pattern.root, measure);
  if (regions.some((region) => region.hasAdjacentRepeats())) return { kind: 'adjacent-repeats' };
  const length = measure.maxLength(pattern.root);
  if (length > limits.maxMatchLength) return { kind: 'long-match', length };
  let ways = 1;
  let widest = 1;
  let reread = 0;
  let further = 0;
  for (const region of regions) {
    for (const choice of region.ambiguousChoices()) {
      ways *= choice.ways;
      widest = Math.max(widest, choice.ways);
      reread = Math.max(reread, choice.reread);
      further = Math.max(further, choice.further);
    }
  }
  // Every way re-reads the text its choices could have taken. Of the ways that differ only in
  // the widest choice, the few that get past that text (one per length the rest can absorb)
  // read on as far as the rest of the pattern can before failing.
  const past = Math.min(ways, (1 + reread) * (ways / widest));
  const steps = ways * (1 + reread) + past * Math.max(0, further - reread);
  if (steps > limits.maxSteps) return { kind: 'ambiguous-choices', steps };
  return undefined;
}

/** Rule 1. `repeated`: inside a repetition that can run more than once (or a lookaround there). */
function hasNestedQuantifier(node: PatternNode, repeated: boolean): boolean {
  switch (node.type) {
    case 'repeat':
      if (repeated && node.min < node.max) return true;
      return hasNestedQuantifier(node.body, repeated || node.max >= 2);
    case 'seq':
      return node.items.some((item) => hasNestedQuantifier(item, repeated));
    case 'alt':
      return node.options.some((option) => hasNestedQuantifier(option, repeated));
    case 'group':
    case 'look':
      return hasNestedQuantifier(node.body, repeated);
    case 'char':
    case 'assertion':
    case 'backref':
      return false;
  }
}

/** Rule 2. */
function hasOverlappingAlternatives(node: PatternNode, repeated: boolean, m: Measure): boolean {
  switch (node.type) {
    case 'alt': {
      if (repeated) {
        if (node.options.some((option) => m.nullable(option))) return true;
        const firsts = node.options.map((option) => m.first(option));
        for (let a = 0; a < firsts.length; a++) {
          for (let b = a + 1; b < firsts.length; b++) {
            if (firsts[a].intersects(firsts[b])) return true;
          }
        }
      }
      return node.options.some((option) => hasOverlappingAlternatives(option, repeated, m));
    }
    case 'repeat':
      return hasOverlappingAlternatives(node.body, repeated || node.max >= 2, m);
    case 'seq':
      return node.items.some((item) => hasOverlappingAlternatives(item, repeated, m));
    case 'group':
      return hasOverlappingAlternatives(node.body, repeated, m);
    case 'look':
      // V8 reads a lookbehind backwards: what its alternatives must not share is their last character.
      return hasOverlappingAlternatives(node.behind ? reversed(node.body) : node.body, repeated, m);
    case 'char':
    case 'assertion':
    case 'backref':
      return false;
  }
}
