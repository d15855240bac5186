import { Inject, Injectable } from '@nestjs/common';
import { type MonoTypeOperatorFunction, pipe } from 'rxjs';
import type { Usage } from '../../providers/llm-provider.types.js';
import type { PlanGovernance } from '../../routing/target-gate.js';
import { formatUsd } from '../metering/pricing/cost.calculator.js';
import { CallCosting } from '../metering/usage/call-costing.service.js';
import { PolicyEnforcer } from '../policy/policy.enforcer.js';
import { rateLimitHeaders } from '../rate-limits/rate-limit.headers.js';
import { ANSWER_STAGES, type AnswerStage, type ChatAnswerPart } from './answer-stage.js';
import type { GovernanceContext } from './governance-context.js';

const NO_GOVERNANCE: PlanGovernance = Object.freeze({});

/**
 * What the ingresses' services ask of governance once the request-side stages have admitted a
 * call: how routing is constrained (stage 9), which operators the answer flows through (stage 10),
 * and which governance headers the answer carries.
 */
@Injectable()
export class GovernancePipeline {
  constructor(
    private readonly policies: PolicyEnforcer,
    @Inject(ANSWER_STAGES) private readonly stages: readonly AnswerStage[],
    private readonly costing: CallCosting,
  ) {}

  /** The planner's constraints for this call: the per-target gate and a pinned target. */
  routing(context: GovernanceContext): PlanGovernance {
    const gate = this.policies.gate(context);
    const pinned = context.routedTo;
    if (gate === undefined && pinned === undefined) return NO_GOVERNANCE;
    return { gate, pinned };
  }

  /**
   * Whether the call may reach an upstream in the caller's own wire format (the Messages
   * passthrough, contract 15) and be governed as it is in chat form: no stage rewrote the request
   * (PII redacted or tokenized it) and no answer stage must read or rewrite the answer (PII
   * restore, `scan-responses`). Otherwise the call is translated, and governed in chat form.
   */
  nativeFormatAllowed(context: GovernanceContext): boolean {
    const pii = context.pii;
    if (pii === undefined) return true;
    if (pii.vault !== undefined || pii.settings.scanResponses) return false;
    return context.piiRequest === undefined || pii.settings.action === 'LOG';
  }

  /** Records the upstream's usage block (settlement prices it). */
  usage(context: GovernanceContext, usage: Usage | undefined): void {
    if (usage === undefined) return;
    context.usage = {
      inputTokens: usage.prompt_tokens,
      outputTokens: usage.completion_tokens,
      cachedInputTokens: usage.prompt_tokens_details?.cached_tokens,
      reasoningTokens: usage.completion_tokens_details?.reasoning_tokens,
      estimated: false,
    };
  }

  /** The answer stages for this call composed; undefined when none has anything to do. */
  answer(context: GovernanceContext): MonoTypeOperatorFunction<ChatAnswerPart> | undefined {
    let composed: MonoTypeOperatorFunction<ChatAnswerPart> | undefined;
    for (const stage of this.stages) {
      const operator = stage.operator(context);
      if (operator === undefined) continue;
      composed = composed === undefined ? operator : pipe(composed, operator);
    }
    return composed;
  }

  /**
   * Governance headers (contract 4.5, 10, 11): every WARN_AGENT rule that matched adds
   * `X-Budget-Warning: true` (DVARA's header) and its message to `X-Gateway-Policy-Warning`; a
   * budget past its soft limit adds `X-Budget-Warning` too. A JSON answer carries its cost
   * (`X-Gateway-Cost-Usd`); an answer under a budget carries the tightest budget's remaining
   * amount after this call: its real cost for JSON, its reservation for a stream, whose headers
   * leave before the cost is known. A call under a rate limit gets the `x-ratelimit-*` headers.
   */
  headers(context: GovernanceContext): Record<string, string> | undefined {
    const stream = context.facts?.stream === true;
    const cost = stream ? undefined : this.costing.costOf(context);
    const budget = context.budget;
    const limited = context.rateLimit;
    if (
      context.warnings.length === 0 &&
      cost === undefined &&
      budget === undefined &&
      limited === undefined
    ) {
      return undefined;
    }
    const headers: Record<string, string> = limited === undefined ? {} : rateLimitHeaders(limited);
    if (context.warnings.length > 0 || budget?.warning === true) {
      headers['x-budget-warning'] = 'true';
    }
    if (context.warnings.length > 0) {
      headers['x-gateway-policy-warning'] = headerValue(context.warnings.join('; '));
    }
    if (cost !== undefined) headers['x-gateway-cost-usd'] = formatUsd(cost.nano);
    if (budget !== undefined) {
      const spentByThis = cost === undefined ? budget.reservedNano : cost.nano;
      const remaining = budget.limitNano - budget.committedNano + budget.reservedNano - spentByThis;
      headers['x-gateway-budget-remaining-usd'] = formatUsd(Math.max(0, remaining));
    }
    return headers;
  }
}

/** A header value carries visible ASCII only: anything else (and any line break) becomes `?`. */
function headerValue(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}
