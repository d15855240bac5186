import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ErrorCode } from '../../common/errors/error-code.js';
import { CallSettlement, type CallObserver } from '../pipeline/call-settlement.service.js';
import type { CallOutcome, GovernanceContext } from '../pipeline/governance-context.js';
import { callEvents } from './audit-record.builder.js';
import { AuditTrail } from './audit-trail.service.js';

/**
 * Writes every settled /v1 call to the audit trail (contract 12): its policy decisions and its
 * one `GATEWAY_RESPONSE`, whatever the outcome. A call refused because the audit queue was full
 * is only counted: queueing its event would defeat the refusal.
 */
@Injectable()
export class AuditSettlementObserver implements CallObserver, OnModuleInit {
  constructor(
    private readonly settlement: CallSettlement,
    private readonly audit: AuditTrail,
  ) {}

  onModuleInit(): void {
    if (this.audit.settings.enabled) this.settlement.observe(this);
  }

  callSettled(context: GovernanceContext, outcome: CallOutcome): void {
    if (outcome.error?.code === ErrorCode.AuditUnavailable) {
      this.audit.countRefusal();
      return;
    }
    for (const event of callEvents(context, outcome, this.audit.captureContent)) {
      this.audit.record(event);
    }
  }
}
