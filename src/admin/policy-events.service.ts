import { Injectable, Logger } from '@nestjs/common';
import { AuditTrail } from '../governance/audit/audit-trail.service.js';
import type { PolicySource } from '../governance/policy/policy.types.js';
import type { AdminActor } from './admin-events.service.js';

export type PolicyAction = 'policy.created' | 'policy.replaced' | 'policy.deleted';

/** What changed: ids only, never the DSL. */
export interface PolicyChange {
  readonly action: PolicyAction;
  readonly policyId: string;
  /** The policy's tenant; null for a global policy. */
  readonly tenantId: string | null;
  readonly source: Exclude<PolicySource, 'config'>;
}

/**
 * Records policy changes as {@link AdminEvents} records tenant and key changes: an
 * `ADMIN_CHANGE` audit event (contract 12; `tenant` null for a global policy) and the same log
 * line. Kept apart because an admin change there always names a tenant. Ids only, never the DSL.
 */
@Injectable()
export class PolicyEvents {
  private readonly logger = new Logger('AdminEvents');

  constructor(private readonly audit: AuditTrail) {}

  record(change: PolicyChange, actor: AdminActor): void {
    this.audit.record({
      eventType: 'ADMIN_CHANGE',
      tenant: change.tenantId,
      keyId: null,
      payload: {
        action: change.action,
        via: actor.via,
        trace_id: actor.traceId ?? null,
        policy_id: change.policyId,
        tenant_id: change.tenantId,
        source: change.source,
      },
    });
    this.logger.log({
      msg: `Admin change: ${change.action}`,
      event: change.action,
      policy_id: change.policyId,
      tenant_id: change.tenantId,
      source: change.source,
      via: actor.via,
      trace_id: actor.traceId,
    });
  }
}
