import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  type Type,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { contextOf } from './governance-request.js';
import {
  BUDGET_STAGE,
  GovernanceStage,
  PII_ACTION_STAGE,
  PII_SCAN_STAGE,
} from './governance-stage.js';

/**
 * The guard that runs the request-side stage bound to `token` in front of a governed route:
 * skipped when the stage is idle, its refusals thrown as they are.
 */
function stageGuard(token: symbol, name: string): Type<CanActivate> {
  @Injectable()
  class StageGuard implements CanActivate {
    constructor(@Inject(token) private readonly stage: GovernanceStage) {}

    canActivate(execution: ExecutionContext): boolean | Promise<boolean> {
      if (!this.stage.active) return true;
      const context = contextOf(execution.switchToHttp().getRequest<FastifyRequest>());
      const admitted = this.stage.admit(context);
      return admitted instanceof Promise ? admitted.then(() => true) : true;
    }
  }
  Object.defineProperty(StageGuard, 'name', { value: name });
  return StageGuard;
}

/** Stage 5, budgets. */
export const BudgetGuard = stageGuard(BUDGET_STAGE, 'BudgetGuard');
/** Stage 6, PII detection. */
export const PiiScanGuard = stageGuard(PII_SCAN_STAGE, 'PiiScanGuard');
/** Stage 8, the PII action. */
export const PiiActionGuard = stageGuard(PII_ACTION_STAGE, 'PiiActionGuard');
