import { describe, expect, it } from '@jest/globals';
import {
  ANY,
  CharSet,
  DIGIT,
  DOT,
  MAX_CODE_POINT,
  PROPERTY_APPROXIMATED,
  SPACE,
  unicodePropertySet,
  WORD,
} from './pattern-charset.js';

/** Every code point of the BMP, and every 61st beyond it. */
function* sampleCodePoints(): Generator<number> {
  for (let cp = 0; cp <= 0xffff; cp++) yield cp;
  for (let cp = 0x10000; cp <= MAX_CODE_POINT; cp += 61) yield cp;
  yield MAX_CODE_POINT;
}

/** The code points where the set and V8's reading of `source` (one code point, `u`) disagree. */
function disagreements(set: CharSet, source: string, approximated = CharSet.EMPTY): string[] {
  const regex = new RegExp(`^${source}$`, 'u');
  const wrong: string[] = [];
  for (const cp of sampleCodePoints()) {
    const engine = regex.test(String.fromCodePoint(cp));
    const ours = set.has(cp);
    // Where the set is approximated it may hold more than the engine matches, never less.
    if (engine ? !ours : ours && !approximated.has(cp)) wrong.push(cp.toString(16));
    if (wrong.length > 5) break;
  }
  return wrong;
}

describe(CharSet.name, () => {
  const ab = CharSet.of([0x61, 0x62]);
  const digitsAndB = CharSet.of([0x30, 0x39], [0x62, 0x62]);

  it('merges overlapping and adjacent ranges', () => {
    expect(CharSet.of([0x63, 0x64], [0x61, 0x62], [0x62, 0x62]).toString()).toBe('[a-d]');
    expect(CharSet.of([0x30, 0x39], [0x41, 0x41]).toString()).toBe('[0-9A]');
    expect(CharSet.EMPTY.isEmpty).toBe(true);
  });

  it('unions, intersects and complements', () => {
    expect(ab.union(digitsAndB).toString()).toBe('[0-9a-b]');
    expect(ab.intersect(digitsAndB).toString()).toBe('[b]');
    expect(ab.intersects(DIGIT)).toBe(false);
    expect(WORD.intersects(DIGIT)).toBe(true);
    expect(DIGIT.complement().complement().toString()).toBe(DIGIT.toString());
    expect(ANY.complement().isEmpty).toBe(true);
    expect(DIGIT.complement().has(0x10ffff)).toBe(true);
  });

  it.each([
    ['\\d', DIGIT],
    ['\\D', DIGIT.complement()],
    ['\\w', WORD],
    ['\\W', WORD.complement()],
    ['\\s', SPACE],
    ['\\S', SPACE.complement()],
    ['.', DOT],
  ])('reads %s exactly as V8 does with the u flag', (source, set) => {
    expect(disagreements(set, source)).toEqual([]);
  });

  it('reads a Unicode property exactly over the BMP, and assumes the rest', () => {
    for (const name of ['L', 'Lu', 'Nd', 'Script=Greek', 'White_Space']) {
      const set = unicodePropertySet(name);
      expect(disagreements(set, `\\p{${name}}`, PROPERTY_APPROXIMATED)).toEqual([]);
      expect(set.intersect(PROPERTY_APPROXIMATED).toString()).toBe(
        PROPERTY_APPROXIMATED.toString(),
      );
    }
    expect(unicodePropertySet('Lu').intersects(unicodePropertySet('Nd'))).toBe(true); // astral
    expect(unicodePropertySet('Lu').intersects(DIGIT)).toBe(false);
    expect(unicodePropertySet('Nd').intersects(DIGIT)).toBe(true);
  });
});
