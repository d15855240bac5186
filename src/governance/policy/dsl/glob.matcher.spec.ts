import { describe, expect, it } from '@jest/globals';
import { compileGlob, compileGlobList } from './glob.matcher.js';
import { seededRandom } from '../../../../test/helpers/seeded-random.js';

function word(next: () => number, alphabet: readonly string[], maxLength: number): string {
  const length = Math.floor(next() * (maxLength + 1));
  let text = '';
  for (let i = 0; i < length; i++) text += alphabet[Math.floor(next() * alphabet.length)];
  return text;
}

/** Test-only reference: the obvious regular expression (fine here, patterns are tiny). */
function reference(pattern: string): (value: string) => boolean {
  const source = pattern
    .toLowerCase()
    .split('*')
    .map((piece) => piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const regex = new RegExp(`^${source}$`, 's');
  return (value) => regex.test(value.toLowerCase());
}

// Regular-expression metacharacters included: a glob treats them as literals.
const PATTERN_ALPHABET = ['a', 'b', 'A', '*', '*', '.', '?', '+', '('];
const VALUE_ALPHABET = ['a', 'b', 'B', '.', '?', '+', '(', '\n'];

describe(compileGlob.name, () => {
  it.each([
    ['*', '', true],
    ['*', 'anything at all', true],
    ['**', 'x', true],
    ['gpt-4o', 'gpt-4o', true],
    ['gpt-4o', 'gpt-4o-mini', false],
    ['gpt-4*', 'gpt-4-turbo', true],
    ['gpt-4*', 'gpt-4', true],
    ['gpt-4*', 'gpt-3.5', false],
    ['*-preview', 'o1-preview', true],
    ['*-preview', 'o1-preview-2', false],
    ['gpt-*-mini', 'gpt-4o-mini', true],
    ['gpt-*-mini', 'gpt--mini', true],
    ['gpt-*-mini', 'gpt-mini', false],
    ['*turbo*', 'gpt-4-turbo-preview', true],
    ['a*a', 'a', false],
    ['a*a', 'aa', true],
    ['ab*ba', 'aba', false],
    ['aba*aba', 'abaaba', true],
    ['aba*aba', 'ababa', false],
    ['a*b*c', 'acbc', true],
    ['a*b*c', 'acb', false],
    ['gpt-4.?', 'gpt-4.?', true],
    ['gpt-4.?', 'gpt-40x', false],
  ])('%j on %j is %s', (pattern, value, expected) => {
    expect(compileGlob(pattern)(value.toLowerCase())).toBe(expected);
  });

  it('ignores case in the pattern (values arrive lower-cased)', () => {
    expect(compileGlob('GPT-4*')('gpt-4o')).toBe(true);
  });

  it('agrees with a regular-expression reference on thousands of random globs', () => {
    const next = seededRandom(20240115);
    const mismatches: string[] = [];
    for (let i = 0; i < 4000; i++) {
      const pattern = word(next, PATTERN_ALPHABET, 8);
      const test = compileGlob(pattern);
      const expected = reference(pattern);
      for (let j = 0; j < 5; j++) {
        const value = word(next, VALUE_ALPHABET, 10);
        if (test(value.toLowerCase()) !== expected(value)) {
          mismatches.push(`${JSON.stringify(pattern)} on ${JSON.stringify(value)}`);
        }
      }
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
  });

  it('matches in one pass whatever the pattern (no backtracking blow-up)', () => {
    const pattern = `${'a*'.repeat(500)}b`;
    const value = 'a'.repeat(10_000);
    // A backtracking matcher would not finish these (the test would time out); speed itself is
    // the bench's business, not a timing assertion's.
    expect(compileGlob(pattern)(value)).toBe(false);
    expect(compileGlob('*'.repeat(10_000))(value)).toBe(true);
  });
});

describe(compileGlobList.name, () => {
  it('matches when any entry does, literals and globs alike, ignoring case', () => {
    const list = compileGlobList(['gpt-4o', 'Claude-*', '*-preview']);
    expect(list.has('GPT-4o')).toBe(true);
    expect(list.has('claude-3-opus')).toBe(true);
    expect(list.has('o1-PREVIEW')).toBe(true);
    expect(list.has('mistral-large')).toBe(false);
    expect(list.has('gpt-4o-mini')).toBe(false);
  });

  it('a list holding a bare `*` matches everything', () => {
    const list = compileGlobList(['gpt-4o', '*']);
    expect(list.has('')).toBe(true);
    expect(list.has('anything')).toBe(true);
  });

  it('agrees with the reference for random lists', () => {
    const next = seededRandom(7);
    const mismatches: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const patterns = Array.from({ length: 1 + Math.floor(next() * 4) }, () =>
        word(next, PATTERN_ALPHABET, 6),
      );
      const list = compileGlobList(patterns);
      const references = patterns.map(reference);
      for (let j = 0; j < 5; j++) {
        const value = word(next, VALUE_ALPHABET, 8);
        if (list.has(value) !== references.some((matches) => matches(value))) {
          mismatches.push(`${JSON.stringify(patterns)} on ${JSON.stringify(value)}`);
        }
      }
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
  });
});
