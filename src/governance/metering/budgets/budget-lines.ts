import { usdToNano } from '../pricing/cost.calculator.js';
import type { LedgerLine } from './budget-ledger.js';
import { periodAt } from './budget-period.js';
import type { Budget } from './budget.types.js';

const DAY_MS = 86_400_000;

/** A budget's counter for the period holding `now`. */
export function ledgerLine(budget: Budget, now: number): LedgerLine {
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
