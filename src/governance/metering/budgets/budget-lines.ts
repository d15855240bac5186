import { usdToNano } from '../pricing/cost.calculator.js';
import type { LedgerLine } from './budget-ledger.js';
import { periodAt } from './budget-period.js';
import type { Budget } from './budget.types.js';

const DAY_MS = 86_400_000;

/**
 * The line last built for each budget. A line is immutable and the same for every call in its
 * period, and a budget is immutable (a reload brings new objects, which drop out of here with
 * the old ones): the calendar arithmetic and the key are computed once per period, not per call.
 */
const current = new WeakMap<Budget, LedgerLine>();

/** A budget's counter for the period holding `now`. */
export function ledgerLine(budget: Budget, now: number): LedgerLine {
  const last = current.get(budget);
  if (last !== undefined && now >= last.start && now < last.end) return last;
  const line = buildLine(budget, now);
  current.set(budget, line);
  return line;
}

function buildLine(budget: Budget, now: number): LedgerLine {
  const window = periodAt(budget.period, now);
  const limitNano = usdToNano(budget.limitUsd);
  return {
    key: `${budget.id}:${window.key}`,
    limitNano,
    softNano: Math.floor((limitNano * budget.softLimitPct) / 100),
    expiresAt: window.end + DAY_MS,
    owner: { tenantId: budget.tenantId, keyId: budget.keyId },
    start: window.start,
    end: window.end,
  };
}
