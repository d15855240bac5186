import { Injectable, Logger } from '@nestjs/common';

/** The governance event types of contract 12 that stages emit during a call. */
export type GovernanceEventType =
  | 'POLICY_DENIED'
  | 'POLICY_WARNED'
  | 'POLICY_ROUTED'
  | 'POLICY_SHADOW'
  | 'PII_DETECTED'
  | 'PII_REDACTED'
  | 'PII_TOKENIZED'
  | 'PII_BLOCKED'
  | 'PII_OUTPUT_LEAK'
  | 'BUDGET_CAP_WARNING'
  | 'BUDGET_CAP_HARD'
  | 'RATE_LIMITED';

/** One event: ids and counts only, never a prompt, an answer, a key or a PII value. */
export interface GovernanceEvent {
  readonly type: GovernanceEventType;
  readonly traceId?: string;
  readonly tenantId?: string;
  readonly keyId?: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

/**
 * Where stages send the events of contract 12 other than GATEWAY_RESPONSE (which settlement
 * writes). The audit trail binds its writer here; without it, events are logged. `emit` never
 * blocks and never throws into the call.
 */
export abstract class GovernanceEvents {
  abstract emit(event: GovernanceEvent): void;
}

/** The binding until the audit trail takes it: one info log line per event. */
@Injectable()
export class LoggedGovernanceEvents extends GovernanceEvents {
  private readonly logger = new Logger('GovernanceEvents');

  emit(event: GovernanceEvent): void {
    this.logger.log({
      msg: `Governance event: ${event.type}`,
      event: event.type,
      trace_id: event.traceId,
      tenant_id: event.tenantId,
      key_id: event.keyId,
      payload: event.payload,
    });
  }
}
