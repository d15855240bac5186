import { describe, expect, it } from '@jest/globals';
import { compilePolicy } from './dsl/policy.compiler.js';
import { evaluateAt } from './policy-evaluation.js';
import { evaluate, orderRules } from './policy.evaluator.js';
import type { CallFacts, CompiledRule, ProviderCatalog, TargetFacts } from './policy.types.js';

const CATALOG: ProviderCatalog = {
  known: new Set(['openai', 'mistral', 'bedrock']),
  active: new Set(['openai', 'mistral', 'bedrock']),
};

function rules(...written: string[]): CompiledRule[] {
  const dsl = `rules:\n${written.map((r) => `  - ${r}`).join('\n')}\n`;
  return orderRules([compilePolicy({ id: 'p', tenant: null, status: 'ACTIVE', dsl }, CATALOG)]);
}

const ANY = 'conditions: {model: {denylist: ["*"]}}';

const FACTS: CallFacts = {
  tenantId: 'acme',
  tenantRegion: 'eu',
  tenantTags: {},
  model: 'gpt-4o',
  toolNames: [],
  piiTypes: new Set(),
  budgetUtilizationPct: 0,
  now: 0,
};

const at = (provider: string, model = 'gpt-4o'): TargetFacts => ({ provider, model });

describe(evaluateAt.name, () => {
  const toMistral = `{id: to-mistral, ${ANY}, action: ROUTE, route_to: {provider: mistral}}`;

  it('is evaluate() when no target is given, or the ROUTE points elsewhere', () => {
    const set = rules(toMistral);
    expect(evaluateAt(set, FACTS)).toEqual(evaluate(set, FACTS));
    const elsewhere = evaluateAt(set, FACTS, at('openai'));
    expect(elsewhere.decision).toBe('ROUTE');
    expect(elsewhere.routeTo).toEqual({ provider: 'mistral' });
  });

  it('treats a ROUTE to the very target as satisfied, and lets the later rules decide', () => {
    const set = rules(
      toMistral,
      `{id: warn, ${ANY}, action: WARN_AGENT, warn_message: "routed"}`,
      `{id: no-mistral, conditions: {provider: {denylist: [mistral]}}, deny_message: "not mistral"}`,
    );
    const verdict = evaluateAt(set, FACTS, at('mistral'));
    expect(verdict.decision).toBe('DENY');
    expect(verdict.message).toBe('not mistral');
    expect(verdict.decidedBy?.ruleId).toBe('no-mistral');
    expect(verdict.warnings).toEqual(['routed']);
    expect(verdict.matched.map((m) => m.ruleId)).toEqual(['to-mistral', 'warn', 'no-mistral']);
  });

  it('allows the call at its ROUTE target when nothing else matches', () => {
    const verdict = evaluateAt(rules(toMistral), FACTS, at('mistral'));
    expect(verdict.decision).toBe('ALLOW');
    expect(verdict.warnings).toEqual([]);
    expect(verdict.matched.map((m) => m.ruleId)).toEqual(['to-mistral']);
  });

  it('answers WARN with every warning, those before the ROUTE and after it, in order', () => {
    const set = rules(
      `{id: w1, ${ANY}, action: WARN_AGENT, warn_message: one}`,
      toMistral,
      `{id: w2, ${ANY}, action: WARN_AGENT, warn_message: two}`,
    );
    const verdict = evaluateAt(set, FACTS, at('mistral'));
    expect(verdict.decision).toBe('WARN');
    expect(verdict.warnings).toEqual(['one', 'two']);
    expect(verdict.warnedBy.map((r) => r.ruleId)).toEqual(['w1', 'w2']);
  });

  it('skips every ROUTE to this target and still honours a ROUTE elsewhere', () => {
    const set = rules(
      toMistral,
      `{id: to-mistral-again, ${ANY}, action: ROUTE, route_to: {provider: mistral, model: GPT-4O}}`,
      `{id: to-bedrock, ${ANY}, action: ROUTE, route_to: {provider: bedrock, model: claude}}`,
    );
    const verdict = evaluateAt(set, FACTS, at('mistral', 'gpt-4o'));
    expect(verdict.decision).toBe('ROUTE');
    expect(verdict.routeTo).toEqual({ provider: 'bedrock', model: 'claude' });
    expect(verdict.decidedBy?.ruleId).toBe('to-bedrock');
  });

  it('re-decides when the ROUTE names another model of the same provider', () => {
    const set = rules(
      `{id: large, ${ANY}, action: ROUTE, route_to: {provider: mistral, model: mistral-large}}`,
    );
    expect(evaluateAt(set, FACTS, at('mistral', 'mistral-small')).decision).toBe('ROUTE');
    expect(evaluateAt(set, FACTS, at('mistral', 'Mistral-Large')).decision).toBe('ALLOW');
  });
});
