import { evaluate } from './policy.evaluator.js';
import type {
  CallFacts,
  CompiledRule,
  MatchedRule,
  PolicyVerdict,
  TargetFacts,
} from './policy.types.js';

/**
 * {@link evaluate}, where the call already is at a target: a ROUTE rule that sends it to this
 * very target is satisfied, not a decision (the re-check of a routed call would otherwise route
 * it again, forever), and the rules after it still apply.
 */
export function evaluateAt(
  rules: readonly CompiledRule[],
  facts: CallFacts,
  target?: TargetFacts,
): PolicyVerdict {
  const verdict = evaluate(rules, facts, target);
  if (target === undefined || verdict.decision !== 'ROUTE' || !routesTo(verdict, target)) {
    return verdict;
  }
  const matched: MatchedRule[] = [...verdict.matched];
  const warnings = [...verdict.warnings];
  const warnedBy = [...verdict.warnedBy];
  let rest = rules.slice(rules.indexOf(verdict.decidedBy!) + 1);
  for (;;) {
    const next = evaluate(rest, facts, target);
    matched.push(...next.matched);
    warnings.push(...next.warnings);
    warnedBy.push(...next.warnedBy);
    if (next.decision === 'ROUTE' && routesTo(next, target)) {
      rest = rest.slice(rest.indexOf(next.decidedBy!) + 1);
      continue;
    }
    const decided = next.decision === 'DENY' || next.decision === 'ROUTE';
    return {
      ...next,
      decision: decided ? next.decision : warnings.length > 0 ? 'WARN' : 'ALLOW',
      matched,
      warnings,
      warnedBy,
    };
  }
}

function routesTo(verdict: PolicyVerdict, target: TargetFacts): boolean {
  const to = verdict.routeTo!;
  return (
    to.provider === target.provider &&
    (to.model === undefined || to.model.toLowerCase() === target.model.toLowerCase())
  );
}
