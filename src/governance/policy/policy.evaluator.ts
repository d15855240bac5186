import type {
  CallFacts,
  CompiledPolicy,
  CompiledRule,
  MatchedRule,
  PolicyVerdict,
  TargetFacts,
} from './policy.types.js';

/** Nothing matched: one shared answer, so a call no rule concerns allocates nothing. */
const ALLOWED: PolicyVerdict = Object.freeze({
  decision: 'ALLOW',
  matched: Object.freeze([]),
  warnings: Object.freeze([]),
  warnedBy: Object.freeze([]),
});

/**
 * Flattens policies into one evaluation order (contract 10): by `priority` (lower first), ties by
 * policy id, then by the rule's place in its policy. The sort is done once per change of the
 * policies, never per call.
 */
export function orderRules(policies: readonly CompiledPolicy[]): CompiledRule[] {
  return policies
    .flatMap((policy) => policy.rules)
    .sort(
      (a, b) =>
        a.priority - b.priority ||
        (a.policyId < b.policyId ? -1 : a.policyId > b.policyId ? 1 : 0) ||
        a.ruleIndex - b.ruleIndex,
    );
}

/**
 * Evaluates ordered rules against a call (and, in routing's re-check, a target), DVARA's way:
 * every matching WARN_AGENT adds its warning and the evaluation goes on; the first matching DENY
 * or ROUTE decides and ends it. Reads nothing but the rules and the facts.
 */
export function evaluate(
  rules: readonly CompiledRule[],
  facts: CallFacts,
  target?: TargetFacts,
): PolicyVerdict {
  let matched: MatchedRule[] | undefined;
  let warnings: string[] | undefined;
  let warnedBy: CompiledRule[] | undefined;
  for (const rule of rules) {
    if (!rule.matches(facts, target)) continue;
    (matched ??= []).push({ policyId: rule.policyId, ruleId: rule.ruleId, action: rule.action });
    if (rule.action === 'WARN_AGENT') {
      (warnings ??= []).push(rule.warnMessage ?? `Policy rule '${rule.ruleId}' matched.`);
      (warnedBy ??= []).push(rule);
      continue;
    }
    return {
      decision: rule.action === 'DENY' ? 'DENY' : 'ROUTE',
      matched,
      decidedBy: rule,
      message:
        rule.action === 'DENY'
          ? (rule.denyMessage ?? `Request blocked by policy rule: ${rule.ruleId}`)
          : undefined,
      warnings: warnings ?? ALLOWED.warnings,
      warnedBy: warnedBy ?? ALLOWED.warnedBy,
      routeTo: rule.routeTo,
    };
  }
  if (matched === undefined) return ALLOWED;
  return {
    decision: 'WARN',
    matched,
    warnings: warnings ?? ALLOWED.warnings,
    warnedBy: warnedBy ?? ALLOWED.warnedBy,
  };
}
