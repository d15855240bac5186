/** Calendar periods in UTC (contract 11.3); weeks are ISO weeks, starting on Monday. */
export const BUDGET_PERIODS = ['day', 'week', 'month'] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];

/** Where a budget was defined: configuration and the bootstrap file are read-only on the API. */
export type BudgetSource = 'api' | 'bootstrap' | 'config';

/** A spending cap on a tenant, or on one of its keys (contract 11.3). */
export interface Budget {
  readonly id: string;
  readonly tenantId: string;
  /** Null: the whole tenant. */
  readonly keyId: string | null;
  readonly period: BudgetPeriod;
  readonly limitUsd: number;
  readonly softLimitPct: number;
  readonly enabled: boolean;
  readonly source: BudgetSource;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** What a budget write carries. */
export type BudgetInput = Omit<Budget, 'createdAt' | 'updatedAt'>;
