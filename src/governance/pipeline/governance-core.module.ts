import { Module } from '@nestjs/common';
import { CallSettlement } from './call-settlement.service.js';
import { GovernanceEvents, LoggedGovernanceEvents } from './governance-events.js';

/**
 * What every governance stage module may inject, apart from the pipeline that imports them: the
 * events port (the audit trail rebinds it) and settlement, where observers hear of every call's
 * end. The stage modules (rate limits, budgets, metering, PII, audit) import this, not the
 * pipeline module, so the pipeline can import them without a cycle.
 */
@Module({
  providers: [{ provide: GovernanceEvents, useClass: LoggedGovernanceEvents }, CallSettlement],
  exports: [GovernanceEvents, CallSettlement],
})
export class GovernanceCoreModule {}
