import { Inject, Injectable } from '@nestjs/common';
import { type MonoTypeOperatorFunction, pipe } from 'rxjs';
import type { Usage } from '../../providers/llm-provider.types.js';
import type { PlanGovernance } from '../../routing/target-gate.js';
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
  ) {}

  /** The planner's constraints for this call: the per-target gate and a pinned target. */
  routing(context: GovernanceContext): PlanGovernance {
    const gate = this.policies.gate(context);
    const pinned = context.routedTo;
    if (gate === undefined && pinned === undefined) return NO_GOVERNANCE;
    return { gate, pinned };
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
   * Governance headers (contract 4.5, 10, 11.4): every WARN_AGENT rule that matched adds
   * `X-Budget-Warning: true` (DVARA's header) and its message to `X-Gateway-Policy-Warning`; a
   * call under a rate limit gets the `x-ratelimit-*` headers.
   */
  headers(context: GovernanceContext): Record<string, string> | undefined {
    const limited = context.rateLimit;
    if (context.warnings.length === 0) {
      return limited === undefined ? undefined : rateLimitHeaders(limited);
    }
    return {
      ...(limited === undefined ? undefined : rateLimitHeaders(limited)),
      'x-budget-warning': 'true',
      'x-gateway-policy-warning': headerValue(context.warnings.join('; ')),
    };
  }
}

/** A header value carries visible ASCII only: anything else (and any line break) becomes `?`. */
function headerValue(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}
