import type { BudgetPeriod } from './budget.types.js';

const DAY_MS = 86_400_000;

/** One calendar period in UTC: [start, end) in epoch milliseconds, and a name for counters. */
export interface PeriodWindow {
  readonly start: number;
  readonly end: number;
  /** `2026-12-07`, `2026-12-07/week` (the Monday), `2026-12`. */
  readonly key: string;
}

/**
 * The period of `period` kind that holds `now` (contract 11.3): UTC days, ISO weeks (Monday
 * 00:00 UTC to the next Monday), UTC calendar months.
 */
export function periodAt(period: BudgetPeriod, now: number): PeriodWindow {
  const date = new Date(now);
  const dayStart = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  switch (period) {
    case 'day':
      return { start: dayStart, end: dayStart + DAY_MS, key: isoDay(dayStart) };
    case 'week': {
      // getUTCDay: Sunday 0 ... Saturday 6; days since Monday: (day + 6) % 7.
      const start = dayStart - ((date.getUTCDay() + 6) % 7) * DAY_MS;
      return { start, end: start + 7 * DAY_MS, key: `${isoDay(start)}/week` };
    }
    case 'month': {
      const start = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
      const end = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
      return { start, end, key: isoDay(start).slice(0, 7) };
    }
  }
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
