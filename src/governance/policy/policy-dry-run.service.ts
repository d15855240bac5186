import { Injectable, Optional } from '@nestjs/common';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import type { ChatCompletionRequest } from '../../providers/llm-provider.types.js';
import { ProviderRegistry } from '../../providers/provider-registry.service.js';
import { TenantRepository } from '../../storage/tenant.repository.js';
import { DEFAULT_TENANT } from '../auth/api-key.guard.js';
import { chatRequestFacts } from '../pipeline/request-facts.js';
import { evaluateAt } from './policy-evaluation.js';
import { orderRules } from './policy.evaluator.js';
import { PolicyRegistry } from './policy.registry.js';
import type {
  CallFacts,
  CompiledRule,
  PolicyVerdict,
  RouteTo,
  TargetFacts,
} from './policy.types.js';

export interface DryRunInput {
  /** A sample chat request (`model`, `messages`, `max_tokens`, `tools`, ...). */
  readonly request: unknown;
  /** The tenant it runs as; absent: the default tenant. */
  readonly tenant?: string;
  /** A draft DSL to evaluate instead of the policies in force. */
  readonly dsl?: string;
}

export interface DryRunAnswer {
  decision: 'ALLOW' | 'DENY' | 'WARN' | 'ROUTE';
  matched: { policy_id: string; rule_id: string; action: string }[];
  message: string | null;
  warnings: string[];
  route_to: { provider: string; model?: string } | null;
}

/** A routed call is re-checked at its new target; past this many hops the rules loop. */
const MAX_ROUTE_HOPS = 3;

/**
 * `POST /v1/admin/policies/dry-run` (contract 10): what the policies in force, or a draft, would
 * decide for a sample request, without calling any provider. The request is evaluated before
 * routing and then at the target prefix dispatch would pick (when a registered provider serves the
 * model), following ROUTE rules as the gateway does.
 */
@Injectable()
export class PolicyDryRun {
  constructor(
    private readonly registry: PolicyRegistry,
    private readonly tenants: TenantRepository,
    @Optional() private readonly providers?: ProviderRegistry,
  ) {}

  async run(input: DryRunInput): Promise<DryRunAnswer> {
    const request = sampleRequest(input.request);
    const tenantId = input.tenant ?? DEFAULT_TENANT;
    const tenant = input.tenant === undefined ? undefined : await this.tenants.get(tenantId);
    if (input.tenant !== undefined && tenant === undefined) {
      throw new GatewayError(ErrorCode.TenantNotFound, `Tenant '${tenantId}' does not exist.`, {
        param: 'tenant',
      });
    }
    const rules: readonly CompiledRule[] =
      input.dsl === undefined
        ? this.registry.rulesFor(tenantId).active
        : orderRules([this.registry.compileDraft(input.dsl, tenant ? tenantId : null)]);
    const request$ = chatRequestFacts(request);
    const facts: CallFacts = {
      tenantId,
      tenantRegion: tenant?.region ?? null,
      tenantTags: tenant?.tags ?? {},
      model: request$.model,
      maxTokens: request$.maxTokens,
      toolNames: request$.toolNames,
      piiTypes: new Set(),
      budgetUtilizationPct: 0,
      now: Date.now(),
    };
    return this.decide(rules, facts);
  }

  private decide(rules: readonly CompiledRule[], facts: CallFacts): DryRunAnswer {
    const verdicts: PolicyVerdict[] = [evaluateAt(rules, facts)];
    let target: TargetFacts | undefined =
      verdicts[0].decision === 'ROUTE'
        ? routed(verdicts[0].routeTo!, facts.model)
        : this.dispatchTarget(facts.model);
    for (
      let hop = 0;
      target !== undefined && verdicts[verdicts.length - 1].decision !== 'DENY';
      hop++
    ) {
      if (hop > MAX_ROUTE_HOPS) break;
      const verdict = evaluateAt(rules, facts, target);
      verdicts.push(verdict);
      target = verdict.decision === 'ROUTE' ? routed(verdict.routeTo!, target.model) : undefined;
    }
    return answer(verdicts);
  }

  /** The target prefix dispatch would pick, when a registered provider serves the model. */
  private dispatchTarget(model: string): TargetFacts | undefined {
    if (this.providers === undefined) return undefined;
    try {
      const { provider } = this.providers.resolve(model);
      return { provider: provider.id, model };
    } catch {
      return undefined;
    }
  }
}

function routed(to: RouteTo, model: string): TargetFacts {
  return { provider: to.provider, model: to.model ?? model };
}

/** Every evaluation's matches and warnings, each rule once; the last DENY or ROUTE decides. */
function answer(verdicts: readonly PolicyVerdict[]): DryRunAnswer {
  const seen = new Set<string>();
  const matched: DryRunAnswer['matched'] = [];
  const warnings: string[] = [];
  for (const verdict of verdicts) {
    for (const m of verdict.matched) {
      const key = `${m.policyId}\u0000${m.ruleId}`;
      if (seen.has(key)) continue;
      seen.add(key);
      matched.push({ policy_id: m.policyId, rule_id: m.ruleId, action: m.action });
    }
    verdict.warnedBy.forEach((rule, i) => {
      if (!warnings.includes(verdict.warnings[i])) warnings.push(verdict.warnings[i]);
    });
  }
  const denied = verdicts.find((v) => v.decision === 'DENY');
  const route = [...verdicts].reverse().find((v) => v.decision === 'ROUTE');
  if (denied) {
    return { decision: 'DENY', matched, message: denied.message ?? null, warnings, route_to: null };
  }
  return {
    decision: route ? 'ROUTE' : warnings.length > 0 ? 'WARN' : 'ALLOW',
    matched,
    message: null,
    warnings,
    route_to: route?.routeTo ? { ...route.routeTo } : null,
  };
}

/** The sample must at least name a model; the rest is read as a chat request would be. */
function sampleRequest(raw: unknown): ChatCompletionRequest {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new GatewayError(ErrorCode.ValidationError, 'request must be a chat request object.', {
      param: 'request',
    });
  }
  const body = raw as Record<string, unknown>;
  if (typeof body.model !== 'string' || body.model.trim() === '') {
    throw new GatewayError(ErrorCode.ValidationError, 'request.model must be a non-empty string.', {
      param: 'request.model',
    });
  }
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const tools = Array.isArray(body.tools) ? body.tools : [];
  const number = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  return {
    model: body.model,
    messages: messages.filter(isObject).map((m) => ({
      role: 'assistant',
      tool_calls: Array.isArray(m.tool_calls) ? m.tool_calls.filter(isObject) : undefined,
    })) as unknown as ChatCompletionRequest['messages'],
    tools: tools.filter(
      (t) => isObject(t) && isObject(t.function) && typeof t.function.name === 'string',
    ),
    max_tokens: number(body.max_tokens),
    max_completion_tokens: number(body.max_completion_tokens),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
