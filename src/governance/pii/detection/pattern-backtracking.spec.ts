import { describe, expect, it } from '@jest/globals';
import { findBacktrackingRisk } from './pattern-backtracking.js';
import { parsePattern } from './pattern-parser.js';

const LIMITS = { maxRepeat: 64, maxMatchLength: 512, maxSteps: 256 };
const risk = (source: string) => findBacktrackingRisk(parsePattern(source), LIMITS)?.kind;
/** The step estimate of rule 5, whatever the limit. */
const steps = (source: string) => {
  const found = findBacktrackingRisk(parsePattern(source), { ...LIMITS, maxSteps: 0 });
  return found?.kind === 'ambiguous-choices' ? found.steps : found?.kind;
};

describe(findBacktrackingRisk.name, () => {
  it.each([
    'EMP-[0-9]{6}',
    'TCK-[0-9]{5}',
    '[A-Z]{2}[0-9]{7}',
    '(?:ACME|ACM)-\\d{4}',
    '[a-z0-9._%+-]+@corp\\.example',
    '\\bINV-\\d{4,8}\\b',
    '(?<![0-9])[0-9]{9}(?![0-9])',
    'badge[ :#]*\\d{4}',
    '(\\d{3}-){2}\\d{4}',
    '(?:\\d{3}-)+x',
    '\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}',
    '\\d{3}[-. ]?\\d{3}[-. ]?\\d{4}',
    '(?:ab|b)+$',
    '\\d{3}\\d+x',
    '(?<q>["\'])[A-Z]{3}\\k<q>',
  ])('finds no risk in %s', (source) => {
    expect(risk(source)).toBeUndefined();
  });

  it('rule 1: a choice inside a repetition that runs more than once', () => {
    for (const source of ['(a+)+$', '(a?)+b', '(?:a{1,5})+$', '(a+){2}', '(?:(?=a+)b)+']) {
      expect([source, risk(source)]).toEqual([source, 'nested-quantifier']);
    }
    expect(risk('(?:a+)?')).toBeUndefined(); // runs at most once
    expect(risk('(?:a{2}b){1,9}')).toBeUndefined(); // a fixed count offers no choice
  });

  it('rule 2: alternatives that overlap inside a repeated group', () => {
    for (const source of [
      '(a|a)*$',
      '(a|aa)+$',
      '(\\w|\\d)+x',
      '(?:a|)+b',
      '(?:x(?:b|bc))+$',
      '(?:ab|ac){2}',
      '(?:(?=a)a|a)+',
    ]) {
      expect([source, risk(source)]).toEqual([source, 'overlapping-alternatives']);
    }
    expect(risk('(?:a|b|cd)+$')).toBeUndefined();
  });

  it('rule 3: adjacent repeats that can match the same text', () => {
    for (const source of [
      '\\d+\\d+x',
      '[a-z]*\\w+@',
      '.*.*=',
      '\\d+-?\\d+x', // separated by something that can match empty
      '\\d+0\\d+x', // separated by text both can match
      '\\d+\\d{50}x', // the second one fixed
      '(?:\\d+|x)(?:y|\\d+)z', // through alternatives
      '(?:ab)+(?:ba)+x', // groups, read as every character they hold
      '(?<=\\d+\\d+)x', // inside a lookbehind
    ]) {
      expect([source, risk(source)]).toEqual([source, 'adjacent-repeats']);
    }
    // Disjoint sets, or a separator neither can match.
    expect(risk('[a-z]+\\d+x')).toBeUndefined();
    expect(risk('\\d+-\\d+x')).toBeUndefined();
    expect(risk('\\w+\\.\\w+x')).toBeUndefined();
  });

  it('rule 4: a match that reads too much text', () => {
    expect(findBacktrackingRisk(parsePattern('[a-z]{1,5000}@'), LIMITS)).toEqual({
      kind: 'long-match',
      length: 5001,
    });
    // A backreference reads as much as its group; doubling groups add up.
    expect(risk('(a{64})(\\1\\1)(\\2\\2)(\\3\\3)x')).toBe('long-match');
    // A lookaround reads too, once per attempt, and once per repetition inside one.
    expect(risk('(?:(?=\\w{64})\\w)+')).toBe('long-match');
    expect(risk('\\w{9}(?=\\w{510})')).toBe('long-match');
  });

  it('rule 5: overlapping choices multiply, with the text a wrong choice reads again', () => {
    expect(steps('[a-z]+@corp')).toBe(1);
    // 2 ways; a wrong one reads its own 4 letters, then nothing more the choice could have taken
    // ('-' is not in it): 2 × (1 + 4); the 2 that get past read '-' and 3 digits more: 2 × 4.
    expect(steps('(?:ACME|ACM)-\\d{4}')).toBe(18);
    // 64 ways to stop the run of letters; a wrong one re-reads at most one (s), and none reads
    // further than that before failing: 64 × (1 + 1).
    expect(steps('[a-z]+s?@')).toBe(128);
    // 2 ways (take a digit or not); a wrong one reads its digit and up to 64 more, then fails
    // at 'x': 2 × (1 + 1 + 64).
    expect(steps('\\d?\\d+x')).toBe(132);
    expect(steps('a?a?a?a?aaaa')).toBeLessThanOrEqual(256);
    for (const source of [
      'a?a?a?a?a?a?a?a?aaaaaaaa',
      '(?:a|a)(?:a|a)(?:a|a)(?:a|a)(?:a|a)(?:a|a)(?:a|a)(?:a|a)b',
      '\\d+0000000000000000000000000x', // a run a wrong way reads again
      '(?:a\\d{2}|[ -]){2,}(?=[ -]+x)', // a lookahead read again for each way to stop
      '\\w+(?<![a0]*)\\w\\B',
      // Ten alternatives sharing a first letter, each reading 60 before it fails.
      `(?:${[...'0123456789'].map((d) => `a{60}${d}`).join('|')})`,
    ]) {
      expect([source, risk(source)]).toEqual([source, 'ambiguous-choices']);
    }
  });
});
