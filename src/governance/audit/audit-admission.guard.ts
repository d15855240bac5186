import { type CanActivate, Injectable } from '@nestjs/common';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { AuditTrail } from './audit-trail.service.js';

/**
 * First of the governed stages: while the audit queue is past `max-queue`, new calls are refused
 * with 503 `audit_unavailable` (contract 12), never served unaudited. The refusal still settles
 * (the settlement observer counts it instead of queueing an event for it).
 */
@Injectable()
export class AuditAdmissionGuard implements CanActivate {
  constructor(private readonly audit: AuditTrail) {}

  canActivate(): boolean {
    if (!this.audit.saturated) return true;
    throw new GatewayError(
      ErrorCode.AuditUnavailable,
      'The audit trail cannot keep up with the calls it must record: try again shortly.',
      { retryable: true, retryAfterSeconds: 1 },
    );
  }
}
