import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { PII_ACTION_STAGE, GovernanceStage } from './governance-stage.js';
import { runStage } from './stage.guard.js';

/** Stage 8, the PII action (contract 8): the guard in front of every governed route. */
@Injectable()
export class PiiActionGuard implements CanActivate {
  constructor(@Inject(PII_ACTION_STAGE) private readonly stage: GovernanceStage) {}

  canActivate(execution: ExecutionContext): boolean | Promise<boolean> {
    return runStage(this.stage, execution);
  }
}
