import type { Budget, BudgetInput } from '../governance/metering/budgets/budget.types.js';

/**
 * Stored budgets (contract 11.3). Every write advances the metering version in its own
 * transaction, which every replica polls to reload its cached budgets.
 */
export abstract class BudgetRepository {
  abstract list(filter?: { tenantId?: string }): Promise<Budget[]>;
  abstract get(id: string): Promise<Budget | undefined>;
  /** @throws GatewayError `budget_exists` */
  abstract insert(budget: BudgetInput): Promise<Budget>;
  abstract update(id: string, budget: BudgetInput): Promise<Budget | undefined>;
  abstract delete(id: string): Promise<boolean>;
  /** The metering version (budgets and prices share it). */
  abstract version(): Promise<number>;
}
