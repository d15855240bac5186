import { Injectable } from '@nestjs/common';
import { type GovernanceEvent, GovernanceEvents } from '../pipeline/governance-events.js';
import { AuditTrail } from './audit-trail.service.js';
import type { AuditPayload } from './audit.types.js';
import { jsonSafe } from './audit-record.builder.js';

/**
 * The governance events port bound to the audit trail: what the stages emit during a call
 * (`RATE_LIMITED`, `BUDGET_CAP_*`) becomes a record of this process's chain, queued like the rest.
 */
@Injectable()
export class AuditGovernanceEvents extends GovernanceEvents {
  constructor(private readonly audit: AuditTrail) {
    super();
  }

  emit(event: GovernanceEvent): void {
    this.audit.record({
      eventType: event.type,
      tenant: event.tenantId ?? null,
      keyId: event.keyId ?? null,
      payload: jsonSafe({ trace_id: event.traceId ?? null, ...event.payload }) as AuditPayload,
    });
  }
}
