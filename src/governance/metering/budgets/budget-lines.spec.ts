import { ledgerLine } from './budget-lines.js';
import type { Budget, BudgetPeriod } from './budget.types.js';

const at = (iso: string) => Date.parse(iso);

function budget(period: BudgetPeriod, overrides: Partial<Budget> = {}): Budget {
  return {
    id: `b-${period}`,
    tenantId: 'acme',
    keyId: null,
    period,
    limitUsd: 10,
    softLimitPct: 80,
    enabled: true,
    source: 'api',
    createdAt: new Date(0),
    updatedAt: new Date(0),
    ...overrides,
  };
}

describe(ledgerLine.name, () => {
  it("names the period's counter and carries the budget's limits", () => {
    const line = ledgerLine(budget('day', { keyId: 'k1' }), at('2026-12-07T10:00:00Z'));

    expect(line).toEqual({
      key: 'b-day:2026-12-07',
      limitNano: 10_000_000_000,
      softNano: 8_000_000_000,
      expiresAt: at('2026-12-09T00:00:00Z'),
      owner: { tenantId: 'acme', keyId: 'k1' },
      start: at('2026-12-07T00:00:00Z'),
      end: at('2026-12-08T00:00:00Z'),
    });
  });

  it.each([
    ['day', '2026-12-07T00:00:00Z', '2026-12-07T23:59:59.999Z', '2026-12-08T00:00:00Z'],
    ['week', '2026-12-07T00:00:00Z', '2026-12-13T23:59:59.999Z', '2026-12-14T00:00:00Z'],
    ['month', '2026-12-01T00:00:00Z', '2026-12-31T23:59:59.999Z', '2027-01-01T00:00:00Z'],
  ] as const)(
    'gives the same %s line all period long and the next one from its first instant',
    (period, first, last, next) => {
      const b = budget(period);
      const opening = ledgerLine(b, at(first));

      expect(ledgerLine(b, at(last))).toBe(opening);
      const following = ledgerLine(b, at(next));
      expect(following.start).toBe(opening.end);
      expect(following.key).not.toBe(opening.key);
      expect(ledgerLine(b, at(next))).toBe(following);
    },
  );

  it('computes the line again when the clock is set back before its period', () => {
    const b = budget('day');
    const today = ledgerLine(b, at('2026-12-07T10:00:00Z'));
    const yesterday = ledgerLine(b, at('2026-12-06T10:00:00Z'));

    expect(yesterday.key).toBe('b-day:2026-12-06');
    expect(yesterday.end).toBe(today.start);
  });

  it('gives a reloaded budget (a new object) its own limits, whatever the old one held', () => {
    const now = at('2026-12-07T10:00:00Z');
    const before = ledgerLine(budget('day'), now);
    const after = ledgerLine(budget('day', { limitUsd: 20, softLimitPct: 50 }), now);

    expect(before.limitNano).toBe(10_000_000_000);
    expect([after.limitNano, after.softNano]).toEqual([20_000_000_000, 10_000_000_000]);
    expect(after.key).toBe(before.key);
  });
});
