import { describe, expect, it } from '@jest/globals';
import type { ChatCompletionRequest } from '../../../providers/llm-provider.types.js';
import { chatRequestFacts } from '../../pipeline/request-facts.js';
import {
  type CallFacts,
  type CompiledRule,
  PolicyCompileError,
  type PolicyEntry,
  type ProviderCatalog,
  type TargetFacts,
} from '../policy.types.js';
import { compilePolicy } from './policy.compiler.js';

const CATALOG: ProviderCatalog = {
  known: new Set(['openai', 'anthropic', 'mistral', 'bedrock', 'ollama']),
  active: new Set(['openai', 'anthropic', 'mistral', 'bedrock']),
};

function compile(dsl: string, entry: Partial<PolicyEntry> = {}) {
  return compilePolicy({ id: 'p', tenant: null, status: 'ACTIVE', dsl, ...entry }, CATALOG);
}

/** One rule `r` with these conditions (a YAML flow mapping) and extra rule keys. */
function rule(conditions: string, extra = ''): CompiledRule {
  return compile(`rules:\n  - id: r\n    conditions: ${conditions}\n${extra}`).rules[0];
}

function facts(overrides: Partial<CallFacts> = {}): CallFacts {
  return {
    tenantId: 'acme',
    tenantRegion: null,
    tenantTags: {},
    model: 'gpt-4o',
    toolNames: [],
    piiTypes: new Set(),
    budgetUtilizationPct: 0,
    now: Date.parse('2024-01-15T12:00:00Z'),
    ...overrides,
  };
}

const target = (provider: string, model = 'gpt-4o'): TargetFacts => ({ provider, model });

function chat(body: Partial<ChatCompletionRequest>): CallFacts {
  const request = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], ...body };
  const { model, maxTokens, toolNames } = chatRequestFacts(request as ChatCompletionRequest);
  return facts({ model, maxTokens, toolNames });
}

function refusal(dsl: string, catalog = CATALOG): PolicyCompileError {
  try {
    compilePolicy({ id: 'p', tenant: null, status: 'ACTIVE', dsl }, catalog);
  } catch (error) {
    if (error instanceof PolicyCompileError) return error;
    throw error;
  }
  throw new Error('the policy compiled');
}

/** Milliseconds `run` took. */
function timed(run: () => void): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}

describe(compilePolicy.name, () => {
  describe('rules', () => {
    it('compiles the contract example with every field', () => {
      const policy = compile(
        `version: "1"
description: house rules
rules:
  - id: no-preview-models
    description: previews are not for production
    priority: 10
    conditions:
      model: { denylist: ["gpt-4-turbo*"] }
    action: DENY
    deny_message: Preview models are not allowed.
  - id: eu-data-stays-in-eu
    conditions:
      data_residency: { tenant_region: eu, allowed_providers: [mistral, bedrock] }
    action: ROUTE
    route_to: { provider: Mistral, model: mistral-large-latest }
  - id: big-answers
    conditions:
      max_tokens: { limit: 4096 }
    action: WARN_AGENT
    warn_message: Large completions are billed at a premium.
`,
        { id: 'house', tenant: 'acme', status: 'SHADOW' },
      );
      expect(policy.entry.id).toBe('house');
      expect(policy.rules.map((r) => [r.ruleId, r.ruleIndex, r.priority, r.action])).toEqual([
        ['no-preview-models', 0, 10, 'DENY'],
        ['eu-data-stays-in-eu', 1, 100, 'ROUTE'],
        ['big-answers', 2, 100, 'WARN_AGENT'],
      ]);
      const [deny, route, warn] = policy.rules;
      expect(deny).toMatchObject({
        policyId: 'house',
        tenant: 'acme',
        status: 'SHADOW',
        denyMessage: 'Preview models are not allowed.',
        residency: false,
        concernsTarget: false,
      });
      expect(route.routeTo).toEqual({ provider: 'mistral', model: 'mistral-large-latest' });
      expect(route).toMatchObject({ residency: true, concernsTarget: true });
      expect(warn.warnMessage).toBe('Large completions are billed at a premium.');
    });

    it('defaults the action to DENY and the priority to 100', () => {
      const r = rule('{ model: { denylist: [x] } }');
      expect(r.action).toBe('DENY');
      expect(r.priority).toBe(100);
      expect(r.routeTo).toBeUndefined();
      expect(r.denyMessage).toBeUndefined();
    });

    it.each([
      ['deny', 'DENY'],
      ['Deny', 'DENY'],
      ['warn_agent', 'WARN_AGENT'],
      ['Warn-Agent', 'WARN_AGENT'],
      ['Route', 'ROUTE'],
      ['route', 'ROUTE'],
    ])('reads the action %j as %s', (written, action) => {
      const routeTo = action === 'ROUTE' ? '    route_to: { provider: mistral }\n' : '';
      expect(
        rule('{ model: { denylist: [x] } }', `    action: ${written}\n${routeTo}`).action,
      ).toBe(action);
    });

    it('carries the policy status and tenant on every rule', () => {
      const dsl =
        'rules:\n  - {id: a, conditions: {model: {denylist: [x]}}}\n  - {id: b, conditions: {model: {denylist: [y]}}}\n';
      for (const status of ['ACTIVE', 'SHADOW'] as const) {
        const rules = compile(dsl, { status, tenant: 'acme' }).rules;
        expect(rules.map((r) => [r.status, r.tenant])).toEqual([
          [status, 'acme'],
          [status, 'acme'],
        ]);
      }
    });

    it('keeps a route_to without a model (the caller keeps its model)', () => {
      expect(
        rule(
          '{ model: { denylist: [x] } }',
          '    action: ROUTE\n    route_to: { provider: bedrock }\n',
        ).routeTo,
      ).toEqual({
        provider: 'bedrock',
      });
    });

    it('accepts version 1 written as a number', () => {
      expect(
        compile('version: 1\nrules: [{id: r, conditions: {model: {denylist: [x]}}}]').rules,
      ).toHaveLength(1);
    });
  });

  describe('conditions', () => {
    describe('model', () => {
      it.each([
        // An allowlist matches (and so with DENY refuses) a model that is NOT listed.
        ['{ allowlist: [gpt-4o, "claude-*"] }', 'gpt-4o', false],
        ['{ allowlist: [gpt-4o, "claude-*"] }', 'claude-3-5-sonnet', false],
        ['{ allowlist: [gpt-4o, "claude-*"] }', 'mistral-large', true],
        ['{ allowlist: [gpt-4o] }', 'gpt-4o-mini', true],
        ['{ denylist: ["gpt-4-turbo*"] }', 'gpt-4-turbo-preview', true],
        ['{ denylist: ["gpt-4-turbo*"] }', 'gpt-4-turbo', true],
        ['{ denylist: ["gpt-4-turbo*"] }', 'gpt-4o', false],
        // Both: not allowed, or denied.
        ['{ allowlist: ["gpt-*"], denylist: ["gpt-4-turbo*"] }', 'gpt-4o', false],
        ['{ allowlist: ["gpt-*"], denylist: ["gpt-4-turbo*"] }', 'gpt-4-turbo', true],
        ['{ allowlist: ["gpt-*"], denylist: ["gpt-4-turbo*"] }', 'claude-3-opus', true],
        // `*` anywhere, any run including the empty one.
        ['{ denylist: ["*-preview"] }', 'o1-preview', true],
        ['{ denylist: ["*-preview"] }', 'o1-preview-2024', false],
        ['{ denylist: ["gpt-*-mini"] }', 'gpt-4o-mini', true],
        ['{ denylist: ["gpt-*-mini"] }', 'gpt-mini', false],
        ['{ denylist: ["*turbo*"] }', 'gpt-3.5-turbo-16k', true],
        ['{ denylist: ["*"] }', 'anything', true],
        // Case-insensitive, both ways; other characters are literal.
        ['{ denylist: ["GPT-4*"] }', 'gpt-4o', true],
        ['{ denylist: [gpt-4o] }', 'GPT-4O', true],
        ['{ denylist: ["gpt-3.5*"] }', 'gpt-3x5-turbo', false],
      ])('%s on %j matches: %s', (spec, model, expected) => {
        expect(rule(`{ model: ${spec} }`).matches(facts({ model }))).toBe(expected);
      });

      it("checks the model a target would receive after a route mapping, besides the caller's", () => {
        const denied = rule('{ model: { denylist: ["gpt-4-turbo*"] } }');
        const call = facts({ model: 'fast' });
        expect(denied.matches(call)).toBe(false);
        expect(denied.matches(call, target('openai', 'fast'))).toBe(false);
        expect(denied.matches(call, target('openai', 'gpt-4-turbo-2024-04-09'))).toBe(true);

        const allowed = rule('{ model: { allowlist: [gpt-4o] } }');
        expect(allowed.matches(facts(), target('openai', 'gpt-4o'))).toBe(false);
        expect(allowed.matches(facts(), target('azure', 'gpt-4o-mini'))).toBe(true);
      });

      it('does not concern the target: it matches before routing', () => {
        expect(rule('{ model: { denylist: [gpt-4o] } }').concernsTarget).toBe(false);
      });
    });

    describe('max_tokens', () => {
      const big = rule('{ max_tokens: { limit: 4096 } }');

      it.each([
        [undefined, false],
        [0, false],
        [4096, false],
        [4097, true],
        [100_000, true],
      ])(
        'with %j tokens requested matches: %s (strictly above the limit)',
        (maxTokens, expected) => {
          expect(big.matches(facts({ maxTokens }))).toBe(expected);
        },
      );

      it('reads the larger of max_tokens and max_completion_tokens', () => {
        expect(big.matches(chat({ max_tokens: 100, max_completion_tokens: 5000 }))).toBe(true);
        expect(big.matches(chat({ max_tokens: 5000, max_completion_tokens: 100 }))).toBe(true);
        expect(big.matches(chat({ max_completion_tokens: 4097 }))).toBe(true);
        expect(big.matches(chat({ max_tokens: 4096, max_completion_tokens: 4000 }))).toBe(false);
      });

      it('never matches a call that sets neither', () => {
        expect(big.matches(chat({}))).toBe(false);
        expect(rule('{ max_tokens: { limit: 0 } }').matches(chat({}))).toBe(false);
        expect(rule('{ max_tokens: { limit: 0 } }').matches(chat({ max_tokens: 1 }))).toBe(true);
      });
    });

    describe('tools', () => {
      const shellTools = [{ type: 'function', function: { name: 'shell_exec' } }];

      it('a denylist matches a tool offered or a tool call replayed', () => {
        const denied = rule('{ tools: { denylist: [shell_exec, "fs_*"] } }');
        expect(denied.matches(chat({ tools: shellTools } as Partial<ChatCompletionRequest>))).toBe(
          true,
        );
        const replayed = chat({
          messages: [
            { role: 'user', content: 'write it' },
            {
              role: 'assistant',
              content: null,
              tool_calls: [
                { id: 'c1', type: 'function', function: { name: 'FS_write', arguments: '{}' } },
              ],
            },
            { role: 'tool', tool_call_id: 'c1', content: 'done' },
          ],
        });
        expect(replayed.toolNames).toEqual(['FS_write']);
        expect(denied.matches(replayed)).toBe(true);
        expect(denied.matches(facts({ toolNames: ['search'] }))).toBe(false);
        expect(denied.matches(chat({}))).toBe(false);
      });

      it('an allowlist matches a call naming any tool not listed, and ignores calls with no tools', () => {
        const allowed = rule('{ tools: { allowlist: [search, "calc_*"] } }');
        expect(allowed.matches(facts({ toolNames: [] }))).toBe(false);
        expect(allowed.matches(facts({ toolNames: ['search', 'calc_add'] }))).toBe(false);
        expect(allowed.matches(facts({ toolNames: ['search', 'shell_exec'] }))).toBe(true);
        expect(allowed.matches(facts({ toolNames: ['SEARCH'] }))).toBe(false);
      });
    });

    describe('provider', () => {
      it('never matches before a target is named', () => {
        const denied = rule('{ provider: { denylist: [mistral] } }');
        const allowed = rule('{ provider: { allowlist: [openai] } }');
        expect(denied.concernsTarget).toBe(true);
        expect(denied.matches(facts())).toBe(false);
        expect(allowed.matches(facts())).toBe(false);
      });

      it.each([
        ['{ denylist: [mistral] }', 'mistral', true],
        ['{ denylist: [mistral] }', 'openai', false],
        ['{ allowlist: [OpenAI, anthropic] }', 'openai', false],
        ['{ allowlist: [OpenAI, anthropic] }', 'mistral', true],
        ['{ allowlist: [openai, mistral], denylist: [mistral] }', 'mistral', true],
        ['{ allowlist: [openai, mistral], denylist: [mistral] }', 'openai', false],
        ['{ allowlist: [openai, mistral], denylist: [mistral] }', 'bedrock', true],
      ])('%s at target %s matches: %s', (spec, provider, expected) => {
        expect(rule(`{ provider: ${spec} }`).matches(facts(), target(provider))).toBe(expected);
      });
    });

    describe('tenant_tags', () => {
      const tagged = rule('{ tenant_tags: { team: search, tier: 2, beta: true } }');

      it.each([
        [{ team: 'search', tier: '2', beta: 'true' }, true],
        [{ team: 'search', tier: '2', beta: 'true', region: 'eu' }, true],
        [{ team: 'search', tier: '2' }, false],
        [{ team: 'Search', tier: '2', beta: 'true' }, false],
        [{ team: 'search', tier: '3', beta: 'true' }, false],
        [{}, false],
      ])('with tenant tags %j matches: %s', (tenantTags, expected) => {
        expect(tagged.matches(facts({ tenantTags }))).toBe(expected);
      });
    });

    describe('data_residency', () => {
      const residency = rule(
        '{ data_residency: { tenant_region: EU, allowed_providers: [mistral, Bedrock] } }',
      );

      it.each([
        ['eu', 'openai', true],
        ['EU', 'anthropic', true],
        ['eu', 'mistral', false],
        ['eu', 'bedrock', false],
        ['us', 'openai', false],
        [null, 'openai', false],
      ])('tenant region %j at target %s matches: %s', (tenantRegion, provider, expected) => {
        expect(residency.matches(facts({ tenantRegion }), target(provider))).toBe(expected);
      });

      it('never matches before a target is named, and marks its DENY as a residency refusal', () => {
        expect(residency.matches(facts({ tenantRegion: 'eu' }))).toBe(false);
        expect(residency).toMatchObject({ residency: true, concernsTarget: true });
      });
    });

    describe('pii', () => {
      const pii = rule('{ pii: { detected: [CREDIT_CARD, ssn] } }');

      it.each([
        [['SSN'], true],
        [['EMAIL', 'CREDIT_CARD'], true],
        [['EMAIL'], false],
        [[], false],
      ])('with findings %j matches: %s', (types, expected) => {
        expect(pii.matches(facts({ piiTypes: new Set(types) }))).toBe(expected);
      });

      it('refuses a type that is not a PII type, listing the valid ones', () => {
        const error = refusal('rules: [{id: r, conditions: {pii: {detected: [SSN, PASSWORD]}}}]');
        expect(error.param).toBe('r.conditions.pii.detected');
        expect(error.message).toMatch(
          /detected\[1\] 'PASSWORD' is not a PII type; valid types: EMAIL, /,
        );
      });
    });

    describe('budget_utilization', () => {
      const budget = rule('{ budget_utilization: { above_pct: 80 } }');

      it.each([
        [0, false],
        [80, false],
        [80.01, true],
        [150, true],
      ])('at %j%% matches: %s (strictly above)', (budgetUtilizationPct, expected) => {
        expect(budget.matches(facts({ budgetUtilizationPct }))).toBe(expected);
      });
    });

    describe('time_of_day', () => {
      it('reads the clock of the call', () => {
        const office = rule(
          '{ time_of_day: { between: ["08:00", "20:00"], timezone: Europe/Paris } }',
        );
        expect(office.matches(facts({ now: Date.parse('2024-01-15T12:00:00Z') }))).toBe(true);
        expect(office.matches(facts({ now: Date.parse('2024-01-15T22:00:00Z') }))).toBe(false);
      });
    });

    it('needs every condition present to match (AND)', () => {
      const both = rule(
        '{ model: { denylist: ["gpt-4*"] }, max_tokens: { limit: 100 }, provider: { denylist: [openai] } }',
      );
      expect(both.matches(facts({ maxTokens: 200 }), target('openai'))).toBe(true);
      expect(both.matches(facts({ maxTokens: 50 }), target('openai'))).toBe(false);
      expect(
        both.matches(facts({ maxTokens: 200, model: 'claude' }), target('openai', 'claude')),
      ).toBe(false);
      expect(both.matches(facts({ maxTokens: 200 }), target('mistral'))).toBe(false);
      expect(both.matches(facts({ maxTokens: 200 }))).toBe(false);
    });
  });

  describe('refusals', () => {
    const r = (body: string) => `rules:\n  - id: r\n${body}`;
    const conditions = '    conditions: { model: { denylist: [x] } }\n';

    it.each([
      ['a YAML syntax error', 'rules: [ {id: r', 'dsl', /^The policy DSL is not valid YAML: /],
      ['duplicate YAML keys', 'rules: []\nrules: []', 'dsl', /Map keys must be unique/],
      [
        'a DSL that is a list',
        '- id: r\n- id: s',
        'dsl',
        /^Policy 'p': must be a mapping with `rules`, got a list$/,
      ],
      [
        'a DSL that is a scalar',
        'deny everything',
        'dsl',
        /must be a mapping with `rules`, got the string 'deny everything'/,
      ],
      ['an empty DSL', '# nothing\n', 'dsl', /must be a mapping with `rules`, got nothing/],
      [
        'version "2"',
        'version: "2"\nrules: [{id: r, conditions: {model: {denylist: [x]}}}]',
        'dsl.version',
        /version '2' is not supported; the DSL version is "1"/,
      ],
      [
        'an unknown document key',
        'rule: [{id: r}]',
        'dsl.rule',
        /unknown key 'rule'; did you mean 'rules'\?/,
      ],
      [
        'no rules',
        'version: "1"',
        'dsl.rules',
        /rules must be a non-empty list of rules, got nothing/,
      ],
      ['an empty rule list', 'rules: []', 'dsl.rules', /got an empty list/],
      [
        'a rule that is not a mapping',
        'rules: [deny]',
        'rules[0]',
        /^Rule 1: must be a mapping with `id`, `conditions` and `action`, got the string 'deny'/,
      ],
      [
        'a rule without an id',
        `rules:\n  - {id: a, conditions: {model: {denylist: [x]}}}\n  - {conditions: {model: {denylist: [x]}}}`,
        'rules[1].id',
        /^Rule 2: every rule needs an `id` of 1 to 128/,
      ],
      [
        'a rule id with spaces',
        'rules: [{id: "no preview", conditions: {model: {denylist: [x]}}}]',
        'rules[0].id',
        /got the string 'no preview'/,
      ],
      [
        'duplicate rule ids',
        `rules:\n  - {id: a, conditions: {model: {denylist: [x]}}}\n  - {id: a, conditions: {model: {denylist: [y]}}}`,
        'a.id',
        /another rule of this policy has the id 'a'; rule ids must be unique/,
      ],
      [
        'missing conditions',
        r('    action: DENY\n'),
        'r.conditions',
        /conditions is missing or empty; a rule with no conditions would match every call \(name at least one of: max_tokens, /,
      ],
      ['empty conditions', r('    conditions: {}\n'), 'r.conditions', /missing or empty/],
      [
        'conditions that are a list',
        r('    conditions: [model]\n'),
        'r.conditions',
        /must be a mapping of conditions .*got a list/,
      ],
      [
        '`condition` for `conditions`',
        r('    condition: { model: { denylist: [x] } }\n'),
        'r.condition',
        /unknown key 'condition'; did you mean 'conditions'\?/,
      ],
      [
        '`modle` for `model`',
        r('    conditions: { modle: { denylist: [x] } }\n'),
        'r.conditions.modle',
        /unknown key 'conditions.modle'; did you mean 'model'\?/,
      ],
      [
        '`workspace` inside conditions',
        r('    conditions: { workspace: acme }\n'),
        'r.conditions.workspace',
        /field of the policy entry, not a condition: set `tenant` beside `id` and `dsl`.*`tenant_tags`/,
      ],
      [
        '`tenant` inside conditions',
        r('    conditions: { tenant: acme, model: { denylist: [x] } }\n'),
        'r.conditions.tenant',
        /field of the policy entry/,
      ],
      [
        '`workspace` on a rule',
        r(`${conditions}    workspace: acme\n`),
        'r.workspace',
        /field of the policy entry, not of a rule/,
      ],
      [
        '`shadow` on a rule',
        r(`${conditions}    shadow: true\n`),
        'r.shadow',
        /SHADOW is the status of the whole policy entry/,
      ],
      [
        '`shadow` as an action',
        r(`${conditions}    action: shadow\n`),
        'r.action',
        /unknown action 'shadow': SHADOW is a policy status, not an action: set `status: SHADOW` on the policy entry/,
      ],
      [
        '`allow` as an action',
        r(`${conditions}    action: ALLOW\n`),
        'r.action',
        /there is no ALLOW action/,
      ],
      [
        '`block` as an action',
        r(`${conditions}    action: block\n`),
        'r.action',
        /unknown action 'block'; did you mean 'DENY'\?/,
      ],
      [
        'an unknown action',
        r(`${conditions}    action: explode\n`),
        'r.action',
        /unknown action 'explode'; expected one of: DENY, WARN_AGENT, ROUTE/,
      ],
      [
        'an action that is not text',
        r(`${conditions}    action: [DENY]\n`),
        'r.action',
        /action must be one of DENY, WARN_AGENT, ROUTE, got a list/,
      ],
      [
        'ROUTE without route_to',
        r(`${conditions}    action: ROUTE\n`),
        'r.route_to',
        /action ROUTE needs `route_to: \{provider: <id>, model: <optional>\}`/,
      ],
      [
        'route_to on a DENY rule',
        r(`${conditions}    route_to: { provider: mistral }\n`),
        'r.route_to',
        /`route_to` is used only by action ROUTE, and this rule's action is DENY/,
      ],
      [
        'route_to on a WARN_AGENT rule',
        r(`${conditions}    action: warn_agent\n    route_to: { provider: mistral }\n`),
        'r.route_to',
        /this rule's action is WARN_AGENT/,
      ],
      [
        'route_to naming an unknown provider',
        r(`${conditions}    action: ROUTE\n    route_to: { provider: acme-llm }\n`),
        'r.route_to.provider',
        /route_to.provider 'acme-llm' is not a known provider; known providers: anthropic, bedrock, mistral, ollama, openai/,
      ],
      [
        'route_to naming an inactive provider',
        r(`${conditions}    action: ROUTE\n    route_to: { provider: Ollama }\n`),
        'r.route_to.provider',
        /'ollama' is not activated in this installation, so calls cannot be routed to it \(activated: anthropic, bedrock, mistral, openai\)/,
      ],
      [
        'route_to without a provider',
        r(`${conditions}    action: ROUTE\n    route_to: { model: x }\n`),
        'r.route_to.provider',
        /route_to needs a `provider`/,
      ],
      [
        'route_to as a string',
        r(`${conditions}    action: ROUTE\n    route_to: mistral\n`),
        'r.route_to',
        /route_to must be a mapping `\{provider: <id>, model: <optional>\}`/,
      ],
      [
        'an unknown provider in a provider list',
        r('    conditions: { provider: { denylist: [openai, acme-llm] } }\n'),
        'r.conditions.provider.denylist',
        /denylist\[1\] 'acme-llm' is not a known provider/,
      ],
      [
        'an unknown provider in allowed_providers',
        r(
          '    conditions: { data_residency: { tenant_region: eu, allowed_providers: [mistrall] } }\n',
        ),
        'r.conditions.data_residency.allowed_providers',
        /\[0\] 'mistrall' is not a known provider/,
      ],
      [
        'data_residency without a region',
        r('    conditions: { data_residency: { allowed_providers: [mistral] } }\n'),
        'r.conditions.data_residency.tenant_region',
        /needs both `tenant_region` and `allowed_providers`; tenant_region is missing/,
      ],
      [
        'a list condition with neither list',
        r('    conditions: { model: { } }\n'),
        'r.conditions.model',
        /must have an `allowlist` or a `denylist` \(or both\)/,
      ],
      [
        'a misspelt list',
        r('    conditions: { tools: { blocklist: [shell] } }\n'),
        'r.conditions.tools.blocklist',
        /did you mean 'denylist'\?/,
      ],
      [
        'an empty list',
        r('    conditions: { model: { denylist: [] } }\n'),
        'r.conditions.model.denylist',
        /must list at least one of model globs, got an empty list/,
      ],
      [
        'a list entry that is not text',
        r('    conditions: { model: { denylist: [gpt-4o, 42] } }\n'),
        'r.conditions.model.denylist',
        /but conditions.model.denylist\[1\] is the number '42'/,
      ],
      [
        'max_tokens without a limit',
        r('    conditions: { max_tokens: { max: 10, value: 4 } }\n'),
        'r.conditions.max_tokens.max',
        /did you mean 'limit'\?/,
      ],
      [
        'a negative max_tokens limit',
        r('    conditions: { max_tokens: { limit: -1 } }\n'),
        'r.conditions.max_tokens.limit',
        /must be an integer from 0 to/,
      ],
      [
        'budget_utilization as text',
        r('    conditions: { budget_utilization: { above_pct: "80%" } }\n'),
        'r.conditions.budget_utilization.above_pct',
        /must be a number from 0 to 1000, got the string '80%'/,
      ],
      [
        'a tenant tag that is a mapping',
        r('    conditions: { tenant_tags: { team: { name: x } } }\n'),
        'r.conditions.tenant_tags.team',
        /must be a tag value \(a string, number or boolean\), got a mapping/,
      ],
      [
        'empty tenant tags',
        r('    conditions: { tenant_tags: {} }\n'),
        'r.conditions.tenant_tags',
        /must name at least one tag/,
      ],
      [
        'a priority that is text',
        r(`${conditions}    priority: high\n`),
        'r.priority',
        /priority must be an integer from -1000000 to 1000000, got the string 'high'/,
      ],
      [
        'a fractional priority',
        r(`${conditions}    priority: 1.5\n`),
        'r.priority',
        /must be an integer/,
      ],
      [
        'a huge priority',
        r(`${conditions}    priority: 1e400\n`),
        'r.priority',
        /must be an integer/,
      ],
      [
        'a deny_message that is a number',
        r(`${conditions}    deny_message: 42\n`),
        'r.deny_message',
        /deny_message must be text, got the number '42'/,
      ],
      [
        'a warn_message that is a list',
        r(`${conditions}    action: WARN_AGENT\n    warn_message: [careful]\n`),
        'r.warn_message',
        /warn_message must be text, got a list/,
      ],
      [
        'an empty deny_message',
        r(`${conditions}    deny_message: ""\n`),
        'r.deny_message',
        /must be text, got the string ''/,
      ],
      [
        'a description that is a mapping',
        r(`${conditions}    description: { a: 1 }\n`),
        'r.description',
        /must be text, got a mapping/,
      ],
    ])('refuses %s', (_label, dsl, param, message) => {
      const error = refusal(dsl);
      expect(error).toBeInstanceOf(PolicyCompileError);
      expect(error.param).toBe(param);
      expect(error.message).toMatch(message);
    });

    it('starts every rule-level message with the rule it is about', () => {
      const error = refusal(
        `rules:\n  - {id: ok, conditions: {model: {denylist: [x]}}}\n  - {id: bad, conditions: {modle: {denylist: [x]}}}`,
      );
      expect(error.message).toMatch(/^Rule 'bad': /);
    });

    describe('sizes', () => {
      it('refuses a glob of 10,000 stars for its length, quickly', () => {
        let error: PolicyCompileError | undefined;
        const dsl = `rules: [{id: r, conditions: {model: {denylist: ["${'*'.repeat(10_000)}"]}}}]`;
        const ms = timed(() => {
          error = refusal(dsl);
        });
        expect(error?.param).toBe('r.conditions.model.denylist');
        expect(error?.message).toMatch(/denylist\[0\] is 10000 characters long; the limit is 1000/);
        expect(ms).toBeLessThan(500);
      });

      it('refuses a DSL of 5 MB before reading it', () => {
        let error: PolicyCompileError | undefined;
        const dsl = `rules: [{id: r, conditions: {model: {denylist: [${'x,'.repeat(2_500_000)}x]}}}]`;
        const ms = timed(() => {
          error = refusal(dsl);
        });
        expect(error?.param).toBe('dsl');
        expect(error?.message).toMatch(/is 5000054 characters long; the limit is 262144/);
        expect(ms).toBeLessThan(100);
      });

      it('refuses a list of 1001 entries and accepts 1000', () => {
        const list = (n: number) => Array.from({ length: n }, (_, i) => `m${i}`).join(', ');
        const error = refusal(`rules: [{id: r, conditions: {model: {denylist: [${list(1001)}]}}}]`);
        expect(error.param).toBe('r.conditions.model.denylist');
        expect(error.message).toMatch(/has 1001 entries; the limit is 1000/);
        const [accepted] = compile(
          `rules: [{id: r, conditions: {model: {denylist: [${list(1000)}]}}}]`,
        ).rules;
        expect(accepted.matches(facts({ model: 'M999' }))).toBe(true);
      });

      it('refuses 1001 rules', () => {
        const rules = Array.from(
          { length: 1001 },
          (_, i) => `  - {id: r${i}, conditions: {model: {denylist: [x]}}}`,
        );
        const error = refusal(`rules:\n${rules.join('\n')}`);
        expect(error.param).toBe('dsl.rules');
        expect(error.message).toMatch(/rules has 1001 entries; the limit is 1000/);
      });

      it('refuses a YAML alias bomb (billion laughs) quickly', () => {
        const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
        const names = 'abcdefghij';
        for (let i = 1; i < names.length; i++) {
          lines.push(
            `${names[i]}: &${names[i]} [${Array(9)
              .fill(`*${names[i - 1]}`)
              .join(',')}]`,
          );
        }
        lines.push('rules: [{id: r, conditions: {model: {denylist: *j}}}]');
        let error: PolicyCompileError | undefined;
        const dsl = lines.join('\n');
        const ms = timed(() => {
          error = refusal(dsl);
        });
        expect(error?.param).toBe('dsl');
        expect(error?.message).toMatch(/^The policy DSL could not be read: Excessive alias count/);
        expect(ms).toBeLessThan(500);
      });

      it('still accepts a few aliases, as YAML allows', () => {
        const policy = compile(`rules:
  - { id: a, conditions: { provider: { denylist: &far [openai, anthropic] } } }
  - { id: b, conditions: { data_residency: { tenant_region: eu, allowed_providers: *far } } }
`);
        expect(policy.rules[1].matches(facts({ tenantRegion: 'eu' }), target('mistral'))).toBe(
          true,
        );
      });

      it('reads 32 levels of nesting and refuses 33', () => {
        const nested = (levels: number) => `x: ${'['.repeat(levels)}${']'.repeat(levels)}`;
        expect(refusal(nested(32)).param).toBe('dsl.x');
        expect(refusal(nested(33)).message).toMatch(/nests deeper than 32 levels/);
      });

      it.each([
        ['flow sequences', '['.repeat(100_000) + ']'.repeat(100_000)],
        ['block sequences', `${'- '.repeat(60_000)}x`],
        ['flow mappings', `a: ${'{a: '.repeat(30_000)}x${'}'.repeat(30_000)}`],
      ])('refuses deeply nested %s without overflowing the stack', (_label, dsl) => {
        const error = refusal(dsl);
        expect(error.param).toBe('dsl');
        expect(error.message).toBe(
          'The policy DSL nests deeper than 32 levels; a policy needs fewer than 10.',
        );
        // The same again: before the fix a second deep document aborted the process.
        expect(refusal(dsl).param).toBe('dsl');
      });
    });
  });
});
