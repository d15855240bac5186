import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { RATE_LIMIT_STAGE, GovernanceStage } from './governance-stage.js';
import { runStage } from './stage.guard.js';

/** Stage 3, rate limits (contract 8): the guard in front of every governed route. */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(@Inject(RATE_LIMIT_STAGE) private readonly stage: GovernanceStage) {}

  canActivate(execution: ExecutionContext): boolean | Promise<boolean> {
    return runStage(this.stage, execution);
  }
}
