import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { BudgetStage } from '../metering/budgets/budget.stage.js';
import { MeteringModule } from '../metering/metering.module.js';
import { MeteringAnswerStage } from '../metering/usage/metering.answer-stage.js';
import { PolicyModule } from '../policy/policy.module.js';
import { ANSWER_STAGES } from './answer-stage.js';
import { GovernanceCoreModule } from './governance-core.module.js';
import { GovernancePipeline } from './governance-pipeline.service.js';
import {
  BUDGET_STAGE,
  IdleStage,
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
  imports: [AuthModule, PolicyModule, GovernanceCoreModule, MeteringModule],
  providers: [
    { provide: RATE_LIMIT_STAGE, useClass: IdleStage },
    { provide: BUDGET_STAGE, useExisting: BudgetStage },
    { provide: PII_SCAN_STAGE, useClass: IdleStage },
    { provide: PII_ACTION_STAGE, useClass: IdleStage },
    // Metering runs last: it counts what actually reaches the caller.
    {
      provide: ANSWER_STAGES,
      useFactory: (metering: MeteringAnswerStage) => [metering],
      inject: [MeteringAnswerStage],
    },
    GovernancePipeline,
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
