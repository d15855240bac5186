import { Injectable, Logger } from '@nestjs/common';
import { AuditTrail } from '../governance/audit/audit-trail.service.js';

/** Every change the admin surfaces (API, CLI, bootstrap file) can make. */
export type AdminAction =
  | 'tenant.created'
  | 'tenant.updated'
  | 'tenant.suspended'
  | 'tenant.activated'
  | 'tenant.deleted'
  | 'api_key.created'
  | 'api_key.imported'
  | 'api_key.updated'
  | 'api_key.revoked'
  | 'api_key.rotated'
  | 'budget.created'
  | 'budget.updated'
  | 'budget.deleted'
  | 'pricing.upserted'
  | 'pricing.deleted';

/** Who made a change: the admin API (with the request's trace id), the CLI, or the bootstrap file. */
export interface AdminActor {
  readonly via: 'admin-api' | 'cli' | 'bootstrap';
  readonly traceId?: string;
}

/**
 * What changed. Ids and field names only: there is deliberately no place for a value, so a
 * credential or a key cannot end up in the record.
 */
export interface AdminChange {
  readonly action: AdminAction;
  /** The tenant changed or governed; absent for platform-wide changes (prices). */
  readonly tenantId?: string;
  readonly keyId?: string;
  /** Names of the fields a tenant or key update touched. */
  readonly fields?: readonly string[];
  /** On rotation: the new key. */
  readonly replacedBy?: string;
  readonly budgetId?: string;
  /** A price's provider and model glob. */
  readonly provider?: string;
  readonly model?: string;
}

/**
 * The one place every admin change is recorded: an `ADMIN_CHANGE` event in the audit trail
 * (contract 12) and a log line at info level. Ids and field names only.
 */
@Injectable()
export class AdminEvents {
  private readonly logger = new Logger('AdminEvents');

  constructor(private readonly audit: AuditTrail) {}

  record(change: AdminChange, actor: AdminActor): void {
    this.audit.record({
      eventType: 'ADMIN_CHANGE',
      tenant: change.tenantId ?? null,
      keyId: null,
      payload: {
        action: change.action,
        via: actor.via,
        trace_id: actor.traceId ?? null,
        tenant_id: change.tenantId ?? null,
        key_id: change.keyId ?? null,
        replaced_by: change.replacedBy ?? null,
        budget_id: change.budgetId ?? null,
        provider: change.provider ?? null,
        model: change.model ?? null,
        fields: change.fields === undefined ? null : [...change.fields],
      },
    });
    this.logger.log({
      msg: `Admin change: ${change.action}`,
      event: change.action,
      tenant_id: change.tenantId,
      key_id: change.keyId,
      replaced_by: change.replacedBy,
      fields: change.fields,
      budget_id: change.budgetId,
      provider: change.provider,
      model: change.model,
      via: actor.via,
      trace_id: actor.traceId,
    });
  }
}
