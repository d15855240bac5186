import { describe, expect, it } from '@jest/globals';
import type { PiiFinding, PiiType } from '../pii.types.js';
import { resolveOverlaps, SPECIFICITY } from './overlap.resolver.js';

const f = (type: PiiType, start: number, end: number): PiiFinding => ({ type, start, end });

describe(resolveOverlaps.name, () => {
  it('keeps disjoint findings, sorted by start', () => {
    expect(resolveOverlaps([f('EMAIL', 20, 30), f('SSN', 0, 11), f('IBAN', 11, 20)])).toEqual([
      f('SSN', 0, 11),
      f('IBAN', 11, 20),
      f('EMAIL', 20, 30),
    ]);
  });

  it('lets the longer of two overlapping findings win, whatever its type', () => {
    expect(resolveOverlaps([f('CREDIT_CARD', 5, 24), f('IBAN', 0, 27)])).toEqual([
      f('IBAN', 0, 27),
    ]);
    expect(resolveOverlaps([f('SECRET', 0, 10), f('PERSON_NAME', 5, 30)])).toEqual([
      f('PERSON_NAME', 5, 30),
    ]);
  });

  it('breaks a tie in length by specificity, then by position', () => {
    expect(resolveOverlaps([f('PHONE_NUMBER', 0, 12), f('SSN', 0, 12)])).toEqual([f('SSN', 0, 12)]);
    expect(resolveOverlaps([f('EMAIL', 4, 14), f('EMAIL', 0, 10)])).toEqual([f('EMAIL', 0, 10)]);
    expect(SPECIFICITY[0]).toBe('CUSTOM');
    expect(SPECIFICITY.at(-1)).toBe('PERSON_NAME');
  });

  it('keeps both ends of a chain whose longest middle lost nothing to them', () => {
    // B (len 12) beats A and C; A and C do not overlap each other but both touch B.
    expect(resolveOverlaps([f('EMAIL', 0, 10), f('IBAN', 8, 20), f('EMAIL', 18, 28)])).toEqual([
      f('IBAN', 8, 20),
    ]);
    // With B gone, A and C both survive.
    expect(resolveOverlaps([f('EMAIL', 0, 10), f('PAN', 9, 12), f('EMAIL', 11, 21)])).toEqual([
      f('EMAIL', 0, 10),
      f('EMAIL', 11, 21),
    ]);
  });

  it('resolves a long chain of overlapping findings the same way as a short one', () => {
    // 2,000 findings of length 10 every 6 characters, and one of length 30 among them.
    const chain = Array.from({ length: 2000 }, (_, i) => f('EMAIL', i * 6, i * 6 + 10));
    chain.push(f('SECRET', 600, 630));
    const kept = resolveOverlaps(chain);
    expect(kept).toContainEqual(f('SECRET', 600, 630));
    for (let i = 1; i < kept.length; i++)
      expect(kept[i].start).toBeGreaterThanOrEqual(kept[i - 1].end);
    // Equal lengths: the earlier wins, so every other finding is kept, around the long one.
    expect(kept[0]).toEqual(f('EMAIL', 0, 10));
    expect(kept[1]).toEqual(f('EMAIL', 12, 22));
    expect(kept.length).toBeGreaterThan(900);
  });
});
