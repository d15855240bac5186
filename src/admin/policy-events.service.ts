import { Injectable, Logger } from '@nestjs/common';
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
 * Records policy changes in the shape {@link AdminEvents} records tenant and key changes (same
 * logger context and fields). Kept apart because an admin change there always names a tenant,
 * and a global policy has none; it belongs in `AdminEvents` once that takes policy actions.
 */
@Injectable()
export class PolicyEvents {
  private readonly logger = new Logger('AdminEvents');

  record(change: PolicyChange, actor: AdminActor): void {
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
