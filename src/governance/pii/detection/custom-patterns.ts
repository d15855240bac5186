import safeRegex from 'safe-regex2';
import type { CustomPattern } from '../pii.types.js';
import { findBacktrackingRisk, type BacktrackingRisk } from './pattern-backtracking.js';
import { parsePattern, type ParsedPattern } from './pattern-parser.js';
import { rewriteSource } from './regex-source.rewriter.js';
import type { ScanState } from './scan-state.js';

export const MAX_PATTERN_LENGTH = 512;
/**
 * An unbounded quantifier in a custom pattern (`+`, `*`, `{n,}`) matches at most this many
 * repetitions. V8 backtracks, and a global scan restarts at every position: `[a-z]+@corp\.com`
 * over 100,000 letters without `@` reads the rest of the run from each of them, about 20 s.
 * Bounded, each position costs at most a few times this bound and a scan stays linear (1 MiB of
 * letters: well under a second). The price: a value with more repetitions of one element than
 * this is matched only in part, which no identifier-like value comes near.
 */
export const MAX_REPEAT = 64;
/** safe-regex2's default limit: more quantifiers than this in one pattern are refused too. */
const MAX_QUANTIFIERS = 25;
/**
 * The most text one match attempt may read, counting an unbounded quantifier as MAX_REPEAT: a
 * failed attempt can read that much from every start position (`[a-z]{1,5000}@` would read 5,000
 * letters from each of a million positions).
 */
export const MAX_MATCH_LENGTH = 8 * MAX_REPEAT;
/**
 * The most steps the branches of a pattern's overlapping choices may take per start position
 * (the ways to match the same text, times the text a wrong way reads again before failing):
 * `[a-z]+s?@` (64 ways to end the run, 1 letter read again: 128) passes,
 * `a?a?a?a?a?a?a?a?aaaaaaaa` (256 ways) does not.
 */
export const MAX_BACKTRACKING_STEPS = 4 * MAX_REPEAT;

/** How each backtracking risk reads in a refusal: "can backtrack catastrophically (...)". */
const RISKS: Readonly<Record<Exclude<BacktrackingRisk['kind'], 'long-match'>, string>> = {
  'nested-quantifier': 'nested quantifier',
  'overlapping-alternatives': 'alternatives that overlap inside a repeated group',
  'adjacent-repeats': 'adjacent repeats that can match the same text',
  'ambiguous-choices': 'too many ways to match the same text',
};

/**
 * Why a custom pattern is refused, or undefined if it is acceptable: empty, longer than 512
 * characters, not compiling (with the `u` flag: strict syntax, `\p{...}` classes, matches that
 * never split a surrogate pair), able to backtrack catastrophically, more than 25 quantifiers, or
 * matching the empty string.
 *
 * Able to backtrack catastrophically: the star-height test of safe-regex2 (a quantifier inside a
 * quantified group, fixed counts such as `{3}` aside), then findBacktrackingRisk's rules: nested
 * quantifiers, alternatives that overlap inside a repeated group (`(a|aa)+`), adjacent repeats
 * that can match the same text (`\d+\d+x`), a match that can read more than MAX_MATCH_LENGTH
 * characters, and overlapping choices that multiply past MAX_BACKTRACKING_STEPS.
 */
export function checkCustomPattern(label: string, source: string): string | undefined {
  const name = `pattern '${label}'`;
  if (label.trim() === '') return 'a custom pattern needs a label';
  if (source.trim() === '') return `${name} is empty`;
  if (source.length > MAX_PATTERN_LENGTH) {
    return `${name} is too long (${source.length} characters; at most ${MAX_PATTERN_LENGTH})`;
  }
  let regex: RegExp;
  try {
    regex = new RegExp(source, 'u');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return `${name} does not compile: ${reason.replace(/^Invalid regular expression: \/.*\/\w*: /s, '')}`;
  }
  // safe-regex2's parser does not know lookbehinds; as groups they keep their quantifiers' nesting.
  const checked = rewriteSource(source, { plainLookbehinds: true, dropExactCounts: true });
  if (!safeRegex(checked, { limit: Infinity })) {
    return `${name} can backtrack catastrophically (${RISKS['nested-quantifier']})`;
  }
  let parsed: ParsedPattern;
  try {
    parsed = parsePattern(source);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return `${name} cannot be checked for catastrophic backtracking (${reason})`;
  }
  if (parsed.quantifiers > MAX_QUANTIFIERS) {
    return `${name} has too many quantifiers (at most ${MAX_QUANTIFIERS})`;
  }
  const risk = findBacktrackingRisk(parsed, {
    maxRepeat: MAX_REPEAT,
    maxMatchLength: MAX_MATCH_LENGTH,
    maxSteps: MAX_BACKTRACKING_STEPS,
  });
  if (risk?.kind === 'long-match') {
    return `${name} can read too much text in one match (${risk.length} characters; at most ${MAX_MATCH_LENGTH}, counting + and * as ${MAX_REPEAT})`;
  }
  if (risk !== undefined) return `${name} can backtrack catastrophically (${RISKS[risk.kind]})`;
  if (regex.test('')) return `${name} matches the empty string`;
  return undefined;
}

/** Compiles custom patterns for scanning (global, `u`); throws the refusal of the first bad one. */
export function compileCustomPatterns(patterns: readonly CustomPattern[]): RegExp[] {
  return patterns.map(({ label, source }) => {
    const refusal = checkCustomPattern(label, source);
    if (refusal !== undefined) throw new Error(refusal);
    return new RegExp(rewriteSource(source, { maxRepeat: MAX_REPEAT }), 'gu');
  });
}

/**
 * Each custom pattern in one pass over the text, its matches reported as CUSTOM. A pattern that
 * matches the empty string somewhere (after a lookbehind, say) reports nothing there.
 */
export function scanCustomPatterns(patterns: readonly RegExp[], state: ScanState): void {
  const { text } = state;
  for (const regex of patterns) {
    regex.lastIndex = 0;
    for (let m = regex.exec(text); m !== null; m = regex.exec(text)) {
      const end = m.index + m[0].length;
      if (end > m.index) {
        state.emit('CUSTOM', m.index, end);
      } else {
        regex.lastIndex = end + (isSurrogatePair(text, end) ? 2 : 1);
      }
    }
  }
}

function isSurrogatePair(text: string, at: number): boolean {
  const high = text.charCodeAt(at);
  const low = text.charCodeAt(at + 1);
  return high >= 0xd800 && high <= 0xdbff && low >= 0xdc00 && low <= 0xdfff;
}
