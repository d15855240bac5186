import { Module } from '@nestjs/common';
import { AuditAdmissionGuard } from '../audit/audit-admission.guard.js';
import { AuditSettlementObserver } from '../audit/audit-settlement.observer.js';
import { AuthModule } from '../auth/auth.module.js';
import { BudgetStage } from '../metering/budgets/budget.stage.js';
import { MeteringModule } from '../metering/metering.module.js';
import { MeteringAnswerStage } from '../metering/usage/metering.answer-stage.js';
import { PiiActionStage } from '../pii/pii-action.stage.js';
import { PiiAnswerStage } from '../pii/pii-answer.stage.js';
import { PiiScanStage } from '../pii/pii-scan.stage.js';
import { PiiModule } from '../pii/pii.module.js';
import { PolicyModule } from '../policy/policy.module.js';
import { RateLimitModule } from '../rate-limits/rate-limit.module.js';
import { RateLimitStage } from '../rate-limits/rate-limit.stage.js';
import { ANSWER_STAGES } from './answer-stage.js';
import { GovernanceCoreModule } from './governance-core.module.js';
import { GovernancePipeline } from './governance-pipeline.service.js';
import {
  BUDGET_STAGE,
  PII_ACTION_STAGE,
  PII_SCAN_STAGE,
  RATE_LIMIT_STAGE,
} from './governance-stage.js';

/**
 * The governance pipeline (contract 8): what the stage guards of every `@Governed` route inject,
 * the seams the rate-limit, budget and PII stages fill (idle until they do: a stage with nothing
 * configured costs nothing), the answer-side operators, and settlement.
 */
@Module({
  imports: [
    AuthModule,
    PolicyModule,
    GovernanceCoreModule,
    PiiModule,
    RateLimitModule,
    MeteringModule,
  ],
  providers: [
    { provide: RATE_LIMIT_STAGE, useExisting: RateLimitStage },
    { provide: BUDGET_STAGE, useExisting: BudgetStage },
    { provide: PII_SCAN_STAGE, useExisting: PiiScanStage },
    { provide: PII_ACTION_STAGE, useExisting: PiiActionStage },
    // PII first (restore, redact, block); metering last: it counts what reaches the caller.
    {
      provide: ANSWER_STAGES,
      useFactory: (pii: PiiAnswerStage, metering: MeteringAnswerStage) => [pii, metering],
      inject: [PiiAnswerStage, MeteringAnswerStage],
    },
    GovernancePipeline,
    AuditSettlementObserver,
    AuditAdmissionGuard,
  ],
  // Guards named in `@UseGuards` are built in the module of the controller using them, from what
  // that module can inject: the stage seams and the services the guards use are exported.
  exports: [
    AuthModule,
    PolicyModule,
    RATE_LIMIT_STAGE,
    BUDGET_STAGE,
    PII_SCAN_STAGE,
    PII_ACTION_STAGE,
    GovernanceCoreModule,
    MeteringModule,
    GovernancePipeline,
  ],
})
export class GovernanceModule {}
