import { describe, expect, it } from '@jest/globals';
import { compilePolicy } from './dsl/policy.compiler.js';
import { evaluate, orderRules } from './policy.evaluator.js';
import type { CallFacts, CompiledPolicy, ProviderCatalog } from './policy.types.js';

const CATALOG: ProviderCatalog = {
  known: new Set(['openai', 'mistral', 'bedrock']),
  active: new Set(['openai', 'mistral', 'bedrock']),
};

/** A policy of rules written as YAML flow mappings. */
function policy(id: string, ...rules: string[]): CompiledPolicy {
  const dsl = `rules:\n${rules.map((r) => `  - ${r}`).join('\n')}\n`;
  return compilePolicy({ id, tenant: null, status: 'ACTIVE', dsl }, CATALOG);
}

/** A rule that matches every call (any model). */
const always = (id: string, rest = '') =>
  `{id: ${id}, conditions: {model: {denylist: ["*"]}}${rest ? `, ${rest}` : ''}}`;
/** A rule that matches no call. */
const never = (id: string, rest = '') =>
  `{id: ${id}, conditions: {model: {denylist: [no-such-model]}}${rest ? `, ${rest}` : ''}}`;

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

const ids = (rules: readonly { policyId: string; ruleId: string }[]) =>
  rules.map((r) => `${r.policyId}/${r.ruleId}`);

describe(orderRules.name, () => {
  it('sorts by priority, lower first, across policies; the default priority is 100', () => {
    const ordered = orderRules([
      policy('a', always('late', 'priority: 200'), always('default')),
      policy('b', always('early', 'priority: 5'), always('negative', 'priority: -1')),
    ]);
    expect(ids(ordered)).toEqual(['b/negative', 'b/early', 'a/default', 'a/late']);
  });

  it('breaks ties by policy id, then by rule order within the policy', () => {
    const zulu = policy('zulu', always('z1'), always('z2'));
    const alpha = policy('alpha', always('a2'), always('a1'));
    const expected = ['alpha/a2', 'alpha/a1', 'zulu/z1', 'zulu/z2'];
    expect(ids(orderRules([zulu, alpha]))).toEqual(expected);
    expect(ids(orderRules([alpha, zulu]))).toEqual(expected);
  });

  it('is stable for many rules of equal priority', () => {
    const rules = Array.from({ length: 50 }, (_, i) => always(`r${i}`));
    const ordered = orderRules([policy('p', ...rules)]);
    expect(ordered.map((r) => r.ruleIndex)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});

describe(evaluate.name, () => {
  const run = (...policies: CompiledPolicy[]) => evaluate(orderRules(policies), FACTS);

  it('allows a call no rule matches', () => {
    const verdict = run(policy('p', never('a'), never('b', 'action: WARN_AGENT')));
    expect(verdict).toMatchObject({ decision: 'ALLOW', matched: [], warnings: [], warnedBy: [] });
    expect(verdict.decidedBy).toBeUndefined();
    expect(evaluate([], FACTS).decision).toBe('ALLOW');
  });

  it('lets the first matching DENY decide, with its deny_message', () => {
    const verdict = run(
      policy(
        'p',
        never('skipped'),
        always('first', 'deny_message: "No GPT here."'),
        always('second', 'deny_message: "Never seen."'),
      ),
    );
    expect(verdict.decision).toBe('DENY');
    expect(verdict.message).toBe('No GPT here.');
    expect(verdict.decidedBy?.ruleId).toBe('first');
    expect(verdict.matched).toEqual([{ policyId: 'p', ruleId: 'first', action: 'DENY' }]);
  });

  it('names the rule when a DENY has no deny_message', () => {
    expect(run(policy('p', always('no-gpt'))).message).toBe(
      'Request blocked by policy rule: no-gpt',
    );
  });

  it('follows priority, not the written order', () => {
    const verdict = run(
      policy(
        'p',
        always('written-first', 'priority: 50'),
        always('runs-first', 'priority: 10, action: ROUTE, route_to: {provider: mistral}'),
      ),
    );
    expect(verdict.decision).toBe('ROUTE');
    expect(verdict.decidedBy?.ruleId).toBe('runs-first');
  });

  it('accumulates every matching WARN_AGENT in order and keeps evaluating', () => {
    const verdict = run(
      policy(
        'p',
        always('w2', 'priority: 20, action: warn_agent, warn_message: "second"'),
        always('w1', 'priority: 10, action: WARN_AGENT, warn_message: "first"'),
        never('w-none', 'priority: 15, action: WARN_AGENT'),
        always('w3', 'priority: 30, action: Warn_Agent'),
      ),
    );
    expect(verdict.decision).toBe('WARN');
    expect(verdict.warnings).toEqual(['first', 'second', "Policy rule 'w3' matched."]);
    expect(verdict.warnedBy.map((r) => r.ruleId)).toEqual(['w1', 'w2', 'w3']);
    expect(verdict.matched.map((m) => m.ruleId)).toEqual(['w1', 'w2', 'w3']);
    expect(verdict.decidedBy).toBeUndefined();
    expect(verdict.message).toBeUndefined();
  });

  it('keeps the warnings gathered before a DENY decides', () => {
    const verdict = run(
      policy(
        'p',
        always('warn', 'priority: 1, action: WARN_AGENT, warn_message: careful'),
        always('deny', 'priority: 2'),
        always('warn-after', 'priority: 3, action: WARN_AGENT'),
      ),
    );
    expect(verdict.decision).toBe('DENY');
    expect(verdict.warnings).toEqual(['careful']);
    expect(verdict.matched).toEqual([
      { policyId: 'p', ruleId: 'warn', action: 'WARN_AGENT' },
      { policyId: 'p', ruleId: 'deny', action: 'DENY' },
    ]);
  });

  it('lets the first matching ROUTE decide with its route_to, ending the evaluation', () => {
    const verdict = run(
      policy(
        'p',
        always(
          'to-mistral',
          'priority: 1, action: ROUTE, route_to: {provider: mistral, model: mistral-large-latest}',
        ),
        always('to-bedrock', 'priority: 2, action: route, route_to: {provider: bedrock}'),
        always('deny', 'priority: 3'),
      ),
    );
    expect(verdict.decision).toBe('ROUTE');
    expect(verdict.routeTo).toEqual({ provider: 'mistral', model: 'mistral-large-latest' });
    expect(verdict.message).toBeUndefined();
    expect(verdict.matched.map((m) => m.ruleId)).toEqual(['to-mistral']);
  });

  it('mixes policies by priority: a global DENY at 10 beats a tenant ROUTE at 20', () => {
    const verdict = run(
      policy(
        'tenant-rules',
        always('route', 'priority: 20, action: ROUTE, route_to: {provider: mistral}'),
      ),
      policy('global-rules', always('deny', 'priority: 10, deny_message: "global says no"')),
    );
    expect(verdict.decision).toBe('DENY');
    expect(verdict.message).toBe('global says no');
  });

  it('evaluates rules that read the target only when one is given', () => {
    const rules = orderRules([
      policy(
        'p',
        '{id: residency, conditions: {data_residency: {tenant_region: eu, allowed_providers: [mistral]}}, deny_message: "EU data stays in the EU."}',
      ),
    ]);
    expect(evaluate(rules, FACTS).decision).toBe('ALLOW');
    expect(evaluate(rules, FACTS, { provider: 'mistral', model: 'gpt-4o' }).decision).toBe('ALLOW');
    const denied = evaluate(rules, FACTS, { provider: 'openai', model: 'gpt-4o' });
    expect(denied.decision).toBe('DENY');
    expect(denied.message).toBe('EU data stays in the EU.');
    expect(denied.decidedBy?.residency).toBe(true);
  });

  it('carries SHADOW or ACTIVE on the deciding rule', () => {
    const shadow = compilePolicy(
      { id: 's', tenant: null, status: 'SHADOW', dsl: `rules: [${always('r')}]` },
      CATALOG,
    );
    expect(evaluate(orderRules([shadow]), FACTS).decidedBy?.status).toBe('SHADOW');
    expect(run(policy('a', always('r'))).decidedBy?.status).toBe('ACTIVE');
  });
});
