import { describe, expect, it } from '@jest/globals';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import type { GatewayConfig } from '../../config/gateway-config.types.js';
import type { ProviderRegistry } from '../../providers/provider-registry.service.js';
import type { PolicyRepository } from '../../storage/policy.repository.js';
import type { TenantRepository } from '../../storage/tenant.repository.js';
import type { Tenant } from '../../storage/tenant.types.js';
import type { StoredVersionPoller } from '../../storage/stored-version.poller.js';
import type { PolicyChangeBus } from './policy-change.bus.js';
import { type DryRunInput, PolicyDryRun } from './policy-dry-run.service.js';
import { PolicyRegistry } from './policy.registry.js';

const CATALOG = {
  known: new Set(['openai', 'mistral', 'bedrock']),
  active: new Set(['openai', 'mistral', 'bedrock']),
};

const ACME: Tenant = {
  id: 'acme',
  name: 'Acme',
  status: 'active',
  region: 'eu',
  tags: { team: 'search' },
  settings: {},
  credentialProviders: [],
  createdAt: new Date(0),
  updatedAt: new Date(0),
};

const RESIDENCY = {
  id: 'eu-only',
  dsl: 'rules:\n  - {id: eu, conditions: {data_residency: {tenant_region: eu, allowed_providers: [mistral]}}, deny_message: "EU data stays in the EU."}\n',
};

/** The dry-run over real compiled policies; every model is served by `openai` when `dispatch`. */
function dryRun(policies: unknown[] = [], dispatch = true): PolicyDryRun {
  const config = { policies, policy: { reloadIntervalMs: 60_000 } } as unknown as GatewayConfig;
  const registry = new PolicyRegistry(
    config,
    CATALOG,
    {} as PolicyRepository,
    {} as PolicyChangeBus,
    {} as StoredVersionPoller,
  );
  const tenants = {
    get: (id: string) => Promise.resolve(id === ACME.id ? ACME : undefined),
  } as unknown as TenantRepository;
  const providers = {
    resolve: () => ({ provider: { id: 'openai' } }),
  } as unknown as ProviderRegistry;
  return new PolicyDryRun(registry, tenants, dispatch ? providers : undefined);
}

async function refusal(service: PolicyDryRun, input: DryRunInput): Promise<GatewayError> {
  try {
    await service.run(input);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('the dry-run answered');
}

describe(PolicyDryRun.name, () => {
  it('evaluates a draft as policy `draft`, reading the larger token cap', async () => {
    const answer = await dryRun().run({
      request: { model: 'gpt-4o', max_tokens: 100, max_completion_tokens: 5000 },
      dsl: 'rules: [{id: big, conditions: {max_tokens: {limit: 4096}}}]',
    });
    expect(answer).toEqual({
      decision: 'DENY',
      matched: [{ policy_id: 'draft', rule_id: 'big', action: 'DENY' }],
      message: 'Request blocked by policy rule: big',
      warnings: [],
      route_to: null,
    });
  });

  it('sees tools replayed in assistant messages', async () => {
    const answer = await dryRun().run({
      request: {
        model: 'gpt-4o',
        messages: [
          {
            role: 'assistant',
            tool_calls: [{ function: { name: 'shell_exec', arguments: '{}' } }],
          },
        ],
      },
      dsl: 'rules: [{id: no-shell, conditions: {tools: {denylist: ["shell_*"]}}}]',
    });
    expect(answer.decision).toBe('DENY');
  });

  it('allows what no rule matches', async () => {
    const answer = await dryRun().run({
      request: { model: 'gpt-4o' },
      dsl: 'rules: [{id: big, conditions: {max_tokens: {limit: 4096}}}]',
    });
    expect(answer).toMatchObject({ decision: 'ALLOW', matched: [], message: null, route_to: null });
  });

  it('evaluates the policies in force at the target dispatch would pick, as the tenant', async () => {
    const service = dryRun([RESIDENCY]);
    const asAcme = await service.run({ request: { model: 'gpt-4o' }, tenant: 'acme' });
    expect(asAcme.decision).toBe('DENY');
    expect(asAcme.message).toBe('EU data stays in the EU.');
    expect((await service.run({ request: { model: 'gpt-4o' } })).decision).toBe('ALLOW');
    expect(
      (await dryRun([RESIDENCY], false).run({ request: { model: 'gpt-4o' }, tenant: 'acme' }))
        .decision,
    ).toBe('ALLOW');
  });

  it('follows a ROUTE and checks the rewritten target again, warnings included', async () => {
    const dsl = `rules:
  - {id: cheaper, priority: 1, conditions: {model: {denylist: ["gpt-4*"]}}, action: ROUTE, route_to: {provider: mistral, model: mistral-small}}
  - {id: note, priority: 2, conditions: {provider: {denylist: [mistral]}}, action: WARN_AGENT, warn_message: "on mistral"}
`;
    const answer = await dryRun().run({ request: { model: 'gpt-4o' }, dsl });
    expect(answer).toEqual({
      decision: 'ROUTE',
      matched: [
        { policy_id: 'draft', rule_id: 'cheaper', action: 'ROUTE' },
        { policy_id: 'draft', rule_id: 'note', action: 'WARN_AGENT' },
      ],
      message: null,
      warnings: ['on mistral'],
      route_to: { provider: 'mistral', model: 'mistral-small' },
    });
  });

  it('refuses an unknown tenant, a request without a model and a draft that does not compile', async () => {
    const service = dryRun();
    expect(
      await refusal(service, { request: { model: 'gpt-4o' }, tenant: 'nobody' }),
    ).toMatchObject({
      code: ErrorCode.TenantNotFound,
      status: 404,
      param: 'tenant',
    });
    expect(await refusal(service, { request: { messages: [] } })).toMatchObject({
      code: ErrorCode.ValidationError,
      param: 'request.model',
    });
    expect(
      await refusal(service, {
        request: { model: 'gpt-4o' },
        dsl: 'rules: [{id: r, conditions: {modle: {denylist: [x]}}}]',
      }),
    ).toMatchObject({
      code: ErrorCode.PolicyInvalid,
      status: 400,
      param: 'r.conditions.modle',
    });
  });
});
