import { periodAt } from './budget-period.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe(periodAt.name, () => {
  it('cuts days at 00:00 UTC, whatever the local zone', () => {
    const before = periodAt('day', at('2026-12-07T23:59:59.999Z'));
    const after = periodAt('day', at('2026-12-08T00:00:00.000Z'));
    expect([iso(before.start), iso(before.end), before.key]).toEqual([
      '2026-12-07T00:00:00.000Z',
      '2026-12-08T00:00:00.000Z',
      '2026-12-07',
    ]);
    expect(after.key).toBe('2026-12-08');
    expect(after.start).toBe(before.end);
  });

  it('starts ISO weeks on Monday, a Sunday belonging to the week before', () => {
    // 2026-12-07 is a Monday; 2026-12-13 a Sunday.
    const monday = periodAt('week', at('2026-12-07T00:00:00Z'));
    const sunday = periodAt('week', at('2026-12-13T23:59:59Z'));
    const nextMonday = periodAt('week', at('2026-12-14T00:00:00Z'));
    expect(iso(monday.start)).toBe('2026-12-07T00:00:00.000Z');
    expect(sunday.key).toBe(monday.key);
    expect(iso(sunday.end)).toBe('2026-12-14T00:00:00.000Z');
    expect(nextMonday.start).toBe(sunday.end);
    // Across a year end: 2027-01-01 is a Friday, in the week of Monday 2026-12-28.
    expect(iso(periodAt('week', at('2027-01-01T12:00:00Z')).start)).toBe(
      '2026-12-28T00:00:00.000Z',
    );
  });

  it('spans calendar months of any length, leap February included', () => {
    const feb = periodAt('month', at('2028-02-29T18:00:00Z'));
    expect([iso(feb.start), iso(feb.end), feb.key]).toEqual([
      '2028-02-01T00:00:00.000Z',
      '2028-03-01T00:00:00.000Z',
      '2028-02',
    ]);
    const dec = periodAt('month', at('2026-12-31T23:59:59Z'));
    expect(iso(dec.end)).toBe('2027-01-01T00:00:00.000Z');
  });
});
