import { Module } from '@nestjs/common';
import { AuditAdmissionGuard } from '../audit/audit-admission.guard.js';
import { AuditSettlementObserver } from '../audit/audit-settlement.observer.js';
import { AuthModule } from '../auth/auth.module.js';
import { PolicyModule } from '../policy/policy.module.js';
import { ANSWER_STAGES } from './answer-stage.js';
import { CallSettlement } from './call-settlement.service.js';
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
  imports: [AuthModule, PolicyModule],
  providers: [
    { provide: RATE_LIMIT_STAGE, useClass: IdleStage },
    { provide: BUDGET_STAGE, useClass: IdleStage },
    { provide: PII_SCAN_STAGE, useClass: IdleStage },
    { provide: PII_ACTION_STAGE, useClass: IdleStage },
    { provide: ANSWER_STAGES, useValue: [] },
    CallSettlement,
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
    CallSettlement,
    GovernancePipeline,
  ],
})
export class GovernanceModule {}
