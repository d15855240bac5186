import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { BUDGET_STAGE, GovernanceStage } from './governance-stage.js';
import { runStage } from './stage.guard.js';

/** Stage 5, budgets (contract 8): the guard in front of every governed route. */
@Injectable()
export class BudgetGuard implements CanActivate {
  constructor(@Inject(BUDGET_STAGE) private readonly stage: GovernanceStage) {}

  canActivate(execution: ExecutionContext): boolean | Promise<boolean> {
    return runStage(this.stage, execution);
  }
}
