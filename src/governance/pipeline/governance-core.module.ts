import { Module } from '@nestjs/common';
import { AuditGovernanceEvents } from '../audit/audit-governance.events.js';
import { AuditTrail } from '../audit/audit-trail.service.js';
import { CallSettlement } from './call-settlement.service.js';
import { GovernanceEvents, LoggedGovernanceEvents } from './governance-events.js';

/**
 * What every governance stage module may inject, apart from the pipeline that imports them: the
 * events port (written to the audit trail, or logged when the trail is off) and settlement, where observers hear of every call's
 * end. The stage modules (rate limits, budgets, metering, PII, audit) import this, not the
 * pipeline module, so the pipeline can import them without a cycle.
 */
@Module({
  providers: [
    {
      provide: GovernanceEvents,
      useFactory: (audit: AuditTrail): GovernanceEvents =>
        audit.settings.enabled ? new AuditGovernanceEvents(audit) : new LoggedGovernanceEvents(),
      inject: [AuditTrail],
    },
    CallSettlement,
  ],
  exports: [GovernanceEvents, CallSettlement],
})
export class GovernanceCoreModule {}
