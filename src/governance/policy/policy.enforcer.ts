import { Injectable } from '@nestjs/common';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import {
  ALLOW,
  type GateTarget,
  type TargetGate,
  type TargetVerdict,
} from '../../routing/target-gate.js';
import type { GovernanceContext } from '../pipeline/governance-context.js';
import { DEFAULT_TENANT } from '../auth/api-key.guard.js';
import { evaluateAt } from './policy-evaluation.js';
import { PolicyRegistry } from './policy.registry.js';
import type { CallFacts, CompiledRule, PolicyVerdict } from './policy.types.js';

const NO_PII: ReadonlySet<string> = new Set();
const NO_TAGS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * The policy stage (contract 8 stage 7, and the re-check of stage 9): before routing, the rules
 * are evaluated against the call (a DENY refuses it, a ROUTE pins its target); then, for every
 * target the router considers, the rules that read the target decide whether it may be used.
 * SHADOW rules are evaluated beside them and recorded, never enforced.
 */
@Injectable()
export class PolicyEnforcer {
  constructor(private readonly registry: PolicyRegistry) {}

  /** @throws GatewayError `policy_denied` or `data_residency_violation` (403) */
  checkRequest(context: GovernanceContext): void {
    const rules = this.registry.rulesFor(context.tenant?.id ?? DEFAULT_TENANT);
    if (rules.empty) return;
    const facts = callFacts(context);
    context.policyFacts = facts;
    if (rules.shadow.length > 0)
      record(context, 'shadow', 'request', evaluateAt(rules.shadow, facts));
    const verdict = evaluateAt(rules.active, facts);
    if (verdict.decision === 'ALLOW') return;
    record(context, 'enforce', 'request', verdict);
    if (verdict.decision === 'DENY') throw denial(verdict);
    context.warn(verdict);
    if (verdict.decision === 'ROUTE') {
      const rule = verdict.decidedBy!;
      context.routedTo = {
        provider: verdict.routeTo!.provider,
        model: verdict.routeTo!.model,
        rule: { policyId: rule.policyId, ruleId: rule.ruleId, action: rule.action },
      };
    }
  }

  /**
   * The question routing asks for each target it considers; undefined when no rule governs the
   * tenant (routing then asks nothing).
   */
  gate(context: GovernanceContext): TargetGate | undefined {
    const rules = this.registry.rulesFor(context.tenant?.id ?? DEFAULT_TENANT);
    if (rules.empty) return undefined;
    const facts = context.policyFacts ?? callFacts(context);
    // A ROUTE before routing ended that evaluation early: the rules after it are unchecked.
    const requestEvaluatedFully = context.routedTo === undefined;
    return (target: GateTarget): TargetVerdict => {
      const sameModel = target.model.toLowerCase() === facts.model.toLowerCase();
      const active: readonly CompiledRule[] =
        requestEvaluatedFully && sameModel ? rules.targeted : rules.active;
      if (rules.shadow.length > 0) {
        record(context, 'shadow', target, evaluateAt(rules.shadow, facts, target));
      }
      if (active.length === 0) return ALLOW;
      const verdict = evaluateAt(active, facts, target);
      if (verdict.decision === 'ALLOW') return ALLOW;
      record(context, 'enforce', target, verdict);
      switch (verdict.decision) {
        case 'DENY':
          return { kind: 'deny', error: denial(verdict) };
        case 'ROUTE':
          return {
            kind: 'reroute',
            provider: verdict.routeTo!.provider,
            model: verdict.routeTo!.model,
          };
        case 'WARN':
          context.warn(verdict);
          return ALLOW;
      }
    };
  }
}

/** The facts every rule of this call is evaluated against, built once. */
function callFacts(context: GovernanceContext): CallFacts {
  const tenant = context.tenant;
  const request = context.facts;
  const pii = context.piiRequest;
  return {
    tenantId: tenant?.id ?? DEFAULT_TENANT,
    tenantRegion: tenant?.region ?? null,
    tenantTags: tenant?.tags ?? NO_TAGS,
    model: request?.model ?? '',
    maxTokens: request?.maxTokens,
    toolNames: request?.toolNames ?? [],
    piiTypes: pii === undefined ? NO_PII : new Set(Object.keys(pii)),
    budgetUtilizationPct: context.budgetUtilizationPct ?? 0,
    now: Date.now(),
  };
}

function record(
  context: GovernanceContext,
  mode: 'enforce' | 'shadow',
  at: 'request' | GateTarget,
  verdict: PolicyVerdict,
): void {
  if (verdict.decision === 'ALLOW') return;
  context.policies.push({
    mode,
    at: at === 'request' ? at : { provider: at.provider, model: at.model },
    verdict,
  });
}

/** A DENY as the caller sees it: a data-residency refusal when the deciding rule is one. */
export function denial(verdict: PolicyVerdict): GatewayError {
  const rule = verdict.decidedBy!;
  return new GatewayError(
    rule.residency ? ErrorCode.DataResidencyViolation : ErrorCode.PolicyDenied,
    verdict.message ?? `Request blocked by policy rule: ${rule.ruleId}`,
  );
}
