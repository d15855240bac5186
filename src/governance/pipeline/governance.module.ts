import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { PolicyGuard } from '../policy/policy.guard.js';
import { PolicyModule } from '../policy/policy.module.js';
import { ANSWER_STAGES } from './answer-stage.js';
import { BodyValidationGuard } from './body-validation.guard.js';
import { CallSettlement } from './call-settlement.service.js';
import { GovernancePipeline } from './governance-pipeline.service.js';
import {
  BUDGET_STAGE,
  IdleStage,
  PII_ACTION_STAGE,
  PII_SCAN_STAGE,
  RATE_LIMIT_STAGE,
} from './governance-stage.js';
import { BudgetGuard, PiiActionGuard, PiiScanGuard, RateLimitGuard } from './stage.guard.js';

/**
 * The governance pipeline (contract 8): the stage guards every `@Governed` route runs, the seams
 * the rate-limit, budget and PII stages fill (idle until they do: a stage with nothing configured
 * costs nothing), the answer-side operators, and settlement.
 */
@Module({
  imports: [AuthModule, PolicyModule],
  providers: [
    { provide: RATE_LIMIT_STAGE, useClass: IdleStage },
    { provide: BUDGET_STAGE, useClass: IdleStage },
    { provide: PII_SCAN_STAGE, useClass: IdleStage },
    { provide: PII_ACTION_STAGE, useClass: IdleStage },
    { provide: ANSWER_STAGES, useValue: [] },
    RateLimitGuard,
    BodyValidationGuard,
    BudgetGuard,
    PiiScanGuard,
    PolicyGuard,
    PiiActionGuard,
    CallSettlement,
    GovernancePipeline,
  ],
  // Guards named in `@UseGuards` are built in the module of the controller using them, so what
  // they inject (the stage seams) is exported along with them.
  exports: [
    AuthModule,
    PolicyModule,
    RATE_LIMIT_STAGE,
    BUDGET_STAGE,
    PII_SCAN_STAGE,
    PII_ACTION_STAGE,
    RateLimitGuard,
    BodyValidationGuard,
    BudgetGuard,
    PiiScanGuard,
    PolicyGuard,
    PiiActionGuard,
    CallSettlement,
    GovernancePipeline,
  ],
})
export class GovernanceModule {}
