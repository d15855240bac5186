import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { PII_SCAN_STAGE, GovernanceStage } from './governance-stage.js';
import { runStage } from './stage.guard.js';

/** Stage 6, PII detection (contract 8): the guard in front of every governed route. */
@Injectable()
export class PiiScanGuard implements CanActivate {
  constructor(@Inject(PII_SCAN_STAGE) private readonly stage: GovernanceStage) {}

  canActivate(execution: ExecutionContext): boolean | Promise<boolean> {
    return runStage(this.stage, execution);
  }
}
