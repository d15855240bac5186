import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { AuditAdmissionGuard } from '../audit/audit-admission.guard.js';
import { ApiKeyGuard } from '../auth/api-key.guard.js';
import { RequiredScope } from '../auth/required-scope.decorator.js';
import { PolicyGuard } from '../policy/policy.guard.js';
import { BodyValidationGuard } from './body-validation.guard.js';
import { CounterGuard } from './counter.guard.js';
import { GOVERNED_ROUTE, type GovernedRoute } from './governed-route.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import { BudgetGuard, PiiActionGuard, PiiScanGuard } from './stage.guard.js';

/**
 * Puts a route behind the governance pipeline (contract 8), stages in the contract's order: the
 * audit trail's admission (503 `audit_unavailable` while its queue is full, contract 12),
 * authentication, rate limits, body validation, budgets (with Redis, the rate-limit and budget
 * counters then go out together: one round trip), PII detection, policies, the PII action.
 * Routing's per-target re-check and settlement follow from the context these stages fill. A new
 * ingress (`/v1/messages`, `/v1/responses`) is governed by declaring its route with this.
 */
export function Governed<B extends object, G extends object = B>(
  route: GovernedRoute<B, G>,
): MethodDecorator {
  return applyDecorators(
    SetMetadata(GOVERNED_ROUTE, route),
    RequiredScope(route.scope),
    UseGuards(
      AuditAdmissionGuard,
      ApiKeyGuard,
      RateLimitGuard,
      BodyValidationGuard,
      BudgetGuard,
      CounterGuard,
      PiiScanGuard,
      PolicyGuard,
      PiiActionGuard,
    ),
  );
}
