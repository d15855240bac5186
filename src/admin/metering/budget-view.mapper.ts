import type { Budget } from '../../governance/metering/budgets/budget.types.js';
import type { BudgetView } from '../dto/budget.view.js';

export function toBudgetView(budget: Budget): BudgetView {
  return {
    object: 'budget',
    id: budget.id,
    tenant: budget.tenantId,
    key_id: budget.keyId,
    period: budget.period,
    limit_usd: budget.limitUsd,
    soft_limit_pct: budget.softLimitPct,
    enabled: budget.enabled,
    source: budget.source,
    read_only: budget.source !== 'api',
    created_at: budget.createdAt.toISOString(),
    updated_at: budget.updatedAt.toISOString(),
  };
}
