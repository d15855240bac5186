import { describe, expect, it } from '@jest/globals';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import type { GatewayConfig } from '../../config/gateway-config.types.js';
import type { TargetVerdict } from '../../routing/target-gate.js';
import type { PolicyRepository } from '../../storage/policy.repository.js';
import { GovernanceContext, type RequestFacts } from '../pipeline/governance-context.js';
import type { StoredVersionPoller } from '../../storage/stored-version.poller.js';
import type { PolicyChangeBus } from './policy-change.bus.js';
import { PolicyEnforcer } from './policy.enforcer.js';
import { PolicyRegistry } from './policy.registry.js';
import type { ProviderCatalog } from './policy.types.js';

const CATALOG: ProviderCatalog = {
  known: new Set(['openai', 'anthropic', 'mistral', 'bedrock']),
  active: new Set(['openai', 'anthropic', 'mistral', 'bedrock']),
};

interface RawPolicy {
  id: string;
  tenant?: string;
  status?: string;
  dsl: string;
}

/** A policy of one rule, written as a YAML flow mapping. */
const one = (id: string, written: string, fields: Partial<RawPolicy> = {}): RawPolicy => ({
  id,
  dsl: `rules:\n  - ${written}\n`,
  ...fields,
});

/**
 * The real registry, fed from configuration only: its repository and change bus are used by the
 * lifecycle hooks alone, which these tests never run.
 */
function enforcer(...policies: RawPolicy[]): PolicyEnforcer {
  const config = { policies, policy: { reloadIntervalMs: 60_000 } } as unknown as GatewayConfig;
  const registry = new PolicyRegistry(
    config,
    CATALOG,
    {} as PolicyRepository,
    {} as PolicyChangeBus,
    {} as StoredVersionPoller,
  );
  return new PolicyEnforcer(registry);
}

function call(facts: Partial<RequestFacts> = {}, tenant = 'acme', region: string | null = 'eu') {
  const context = new GovernanceContext('trace-1', 'POST', '/v1/chat/completions', 0);
  context.tenant = { id: tenant, region, tags: { team: 'search' }, settings: {} };
  context.facts = { model: 'gpt-4o', toolNames: [], stream: false, ...facts };
  return context;
}

function thrown(run: () => void): GatewayError {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('nothing was thrown');
}

function deniedBy(verdict: TargetVerdict | undefined): GatewayError {
  if (verdict?.kind !== 'deny')
    throw new Error(`expected a denial, got ${JSON.stringify(verdict)}`);
  return verdict.error;
}

const RESIDENCY =
  '{id: eu-only, conditions: {data_residency: {tenant_region: eu, allowed_providers: [mistral, bedrock]}}, deny_message: "EU data stays in the EU."}';

describe(PolicyEnforcer.name, () => {
  describe('checkRequest', () => {
    it('refuses a DENY with 403 policy_denied and its message', () => {
      const policies = enforcer(
        one(
          'no-turbo',
          '{id: no-turbo, conditions: {model: {denylist: ["gpt-4-turbo*"]}}, deny_message: "Turbo is retired."}',
        ),
      );
      const context = call({ model: 'gpt-4-turbo-preview' });
      const error = thrown(() => policies.checkRequest(context));
      expect(error).toMatchObject({
        code: ErrorCode.PolicyDenied,
        status: 403,
        type: 'policy_violation',
        message: 'Turbo is retired.',
      });
      expect(context.policies).toEqual([
        expect.objectContaining({
          mode: 'enforce',
          at: 'request',
          verdict: expect.objectContaining({ decision: 'DENY' }),
        }),
      ]);
      expect(() => policies.checkRequest(call({ model: 'gpt-4o' }))).not.toThrow();
    });

    it('names the rule when the DENY has no message', () => {
      const policies = enforcer(one('p', '{id: no-big, conditions: {max_tokens: {limit: 1000}}}'));
      expect(thrown(() => policies.checkRequest(call({ maxTokens: 1001 }))).message).toBe(
        'Request blocked by policy rule: no-big',
      );
    });

    it('reads PII findings, tenant tags and budget utilisation from the context', () => {
      const policies = enforcer(
        one('pii', '{id: no-cards, conditions: {pii: {detected: [CREDIT_CARD]}}}'),
        one(
          'tags',
          '{id: search-budget, conditions: {tenant_tags: {team: search}, budget_utilization: {above_pct: 90}}}',
        ),
      );
      const withCard = call();
      withCard.piiRequest = { CREDIT_CARD: 1, EMAIL: 2 };
      expect(thrown(() => policies.checkRequest(withCard)).message).toMatch(/no-cards$/);

      const spent = call();
      spent.budgetUtilizationPct = 95;
      expect(thrown(() => policies.checkRequest(spent)).message).toMatch(/search-budget$/);
      const atTheLimit = call();
      atTheLimit.budgetUtilizationPct = 90;
      expect(() => policies.checkRequest(atTheLimit)).not.toThrow();
    });

    it('adds each WARN_AGENT message once, in evaluation order, and lets the call through', () => {
      const policies = enforcer(
        one(
          'a',
          '{id: w-late, priority: 20, conditions: {model: {denylist: ["gpt-*"]}}, action: WARN_AGENT, warn_message: "second"}',
        ),
        one(
          'b',
          '{id: w-early, priority: 10, conditions: {model: {denylist: ["gpt-*"]}}, action: warn_agent, warn_message: "first"}',
        ),
      );
      const context = call();
      policies.checkRequest(context);
      expect(context.warnings).toEqual(['first', 'second']);
      // The routed target receives another model, so every rule is evaluated again there.
      const gate = policies.gate(context)!;
      expect(gate({ provider: 'openai', model: 'gpt-4o-2024-08-06' })).toEqual({ kind: 'allow' });
      expect(context.warnings).toEqual(['first', 'second']);
      expect(context.routedTo).toBeUndefined();
    });

    it('pins the target of a ROUTE on the context', () => {
      const policies = enforcer(
        one(
          'p',
          '{id: cheap, conditions: {model: {denylist: ["gpt-4*"]}}, action: Route, route_to: {provider: mistral, model: mistral-large-latest}}',
        ),
      );
      const context = call();
      policies.checkRequest(context);
      expect(context.routedTo).toEqual({
        provider: 'mistral',
        model: 'mistral-large-latest',
        rule: { policyId: 'p', ruleId: 'cheap', action: 'ROUTE' },
      });
      // Checked again at the rewritten target: the ROUTE that sent it there is satisfied.
      const gate = policies.gate(context)!;
      expect(gate({ provider: 'mistral', model: 'mistral-large-latest' })).toEqual({
        kind: 'allow',
      });
      expect(gate({ provider: 'openai', model: 'gpt-4o' })).toEqual({
        kind: 'reroute',
        provider: 'mistral',
        model: 'mistral-large-latest',
      });
    });

    it('never enforces SHADOW rules but records what they would have decided', () => {
      const policies = enforcer(
        one('shadow-deny', '{id: no-gpt, conditions: {model: {denylist: ["gpt-*"]}}}', {
          status: 'shadow',
        }),
        one(
          'active-warn',
          '{id: note, conditions: {model: {denylist: ["gpt-*"]}}, action: WARN_AGENT, warn_message: "noted"}',
        ),
      );
      const context = call();
      expect(() => policies.checkRequest(context)).not.toThrow();
      expect(context.warnings).toEqual(['noted']);
      expect(context.policies.map((p) => [p.mode, p.at, p.verdict.decision])).toEqual([
        ['shadow', 'request', 'DENY'],
        ['enforce', 'request', 'WARN'],
      ]);
    });

    it('does nothing, not even build facts, for a tenant no policy governs', () => {
      const policies = enforcer(
        one('theirs', '{id: r, conditions: {model: {denylist: ["*"]}}}', { tenant: 'globex' }),
      );
      const context = call({}, 'acme');
      policies.checkRequest(context);
      expect(context.policyFacts).toBeUndefined();
      expect(context.policies).toEqual([]);
      expect(policies.gate(context)).toBeUndefined();
      expect(() => policies.checkRequest(call({}, 'globex'))).toThrow(GatewayError);
    });

    it('applies global policies to every tenant', () => {
      const policies = enforcer(one('global', '{id: r, conditions: {model: {denylist: ["*"]}}}'));
      for (const tenant of ['acme', 'globex']) {
        expect(() => policies.checkRequest(call({}, tenant))).toThrow(GatewayError);
      }
    });
  });

  describe('gate', () => {
    it('denies a target outside the residency with 403 data_residency_violation', () => {
      const policies = enforcer(one('residency', RESIDENCY));
      const context = call();
      policies.checkRequest(context);
      const gate = policies.gate(context)!;
      expect(deniedBy(gate({ provider: 'openai', model: 'gpt-4o' }))).toMatchObject({
        code: ErrorCode.DataResidencyViolation,
        status: 403,
        type: 'data_residency_error',
        message: 'EU data stays in the EU.',
      });
      expect(gate({ provider: 'mistral', model: 'gpt-4o' })).toEqual({ kind: 'allow' });
      expect(gate({ provider: 'bedrock', model: 'gpt-4o' })).toEqual({ kind: 'allow' });
      expect(context.policies.map((p) => [p.at, p.verdict.decision])).toEqual([
        [{ provider: 'openai', model: 'gpt-4o' }, 'DENY'],
      ]);
    });

    it('lets a tenant outside the region through', () => {
      const policies = enforcer(one('residency', RESIDENCY));
      const gate = policies.gate(call({}, 'acme', 'us'))!;
      expect(gate({ provider: 'openai', model: 'gpt-4o' })).toEqual({ kind: 'allow' });
      expect(
        policies.gate(call({}, 'acme', null))!({ provider: 'openai', model: 'gpt-4o' }),
      ).toEqual({
        kind: 'allow',
      });
    });

    it('answers 403 policy_denied for a provider rule, per target', () => {
      const policies = enforcer(
        one('p', '{id: not-anthropic, conditions: {provider: {denylist: [anthropic]}}}'),
      );
      const gate = policies.gate(call())!;
      expect(deniedBy(gate({ provider: 'anthropic', model: 'gpt-4o' }))).toMatchObject({
        code: ErrorCode.PolicyDenied,
        status: 403,
        message: 'Request blocked by policy rule: not-anthropic',
      });
      expect(gate({ provider: 'openai', model: 'gpt-4o' })).toEqual({ kind: 'allow' });
    });

    it('reroutes a target a residency ROUTE rule sends elsewhere, and allows the new one', () => {
      const policies = enforcer(
        one(
          'p',
          '{id: keep-in-eu, conditions: {data_residency: {tenant_region: eu, allowed_providers: [mistral]}}, action: ROUTE, route_to: {provider: mistral}}',
        ),
      );
      const context = call();
      policies.checkRequest(context);
      expect(context.routedTo).toBeUndefined();
      const gate = policies.gate(context)!;
      expect(gate({ provider: 'openai', model: 'gpt-4o' })).toEqual({
        kind: 'reroute',
        provider: 'mistral',
        model: undefined,
      });
      expect(gate({ provider: 'mistral', model: 'gpt-4o' })).toEqual({ kind: 'allow' });
    });

    it('checks the model a target receives: a route mapping cannot smuggle a denied model', () => {
      const policies = enforcer(
        one('p', '{id: no-turbo, conditions: {model: {denylist: ["gpt-4-turbo*"]}}}'),
      );
      const context = call({ model: 'fast' });
      policies.checkRequest(context);
      const gate = policies.gate(context)!;
      expect(deniedBy(gate({ provider: 'openai', model: 'gpt-4-turbo' })).code).toBe(
        ErrorCode.PolicyDenied,
      );
      expect(gate({ provider: 'openai', model: 'fast' })).toEqual({ kind: 'allow' });
    });

    it('adds the warning of a target rule once however many targets match it', () => {
      const policies = enforcer(
        one(
          'p',
          '{id: us-provider, conditions: {provider: {denylist: [openai, anthropic]}}, action: WARN_AGENT, warn_message: "leaves the EU"}',
        ),
      );
      const context = call();
      policies.checkRequest(context);
      const gate = policies.gate(context)!;
      expect(gate({ provider: 'openai', model: 'gpt-4o' })).toEqual({ kind: 'allow' });
      expect(gate({ provider: 'anthropic', model: 'gpt-4o' })).toEqual({ kind: 'allow' });
      expect(context.warnings).toEqual(['leaves the EU']);
    });

    it('records SHADOW decisions per target and never denies for them', () => {
      const policies = enforcer(one('residency', RESIDENCY, { status: 'SHADOW' }));
      const context = call();
      policies.checkRequest(context);
      const gate = policies.gate(context)!;
      expect(gate({ provider: 'openai', model: 'gpt-4o' })).toEqual({ kind: 'allow' });
      expect(context.policies.map((p) => [p.mode, p.at, p.verdict.decision])).toEqual([
        ['shadow', { provider: 'openai', model: 'gpt-4o' }, 'DENY'],
      ]);
    });

    it('ignores DRAFT policies entirely', () => {
      const policies = enforcer(
        one('draft', '{id: r, conditions: {model: {denylist: ["*"]}}}', { status: 'DRAFT' }),
      );
      const context = call();
      policies.checkRequest(context);
      expect(policies.gate(context)).toBeUndefined();
    });
  });
});
