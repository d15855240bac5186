import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../../config/gateway-config.types.js';
import { estimateDeliveredTokens } from '../../../providers/usage-estimate.js';
import { RoutePlanner } from '../../../routing/route-planner.service.js';
import type { CallCost, CallUsage, GovernanceContext } from '../../pipeline/governance-context.js';
import { costNano } from '../pricing/cost.calculator.js';
import { PriceBook } from '../pricing/price-book.service.js';
import { promptTokensOf } from './prompt-tokens.js';

/**
 * What calls cost (contract 11.1): the real cost of a call that reached an upstream, computed
 * once per call from the upstream's usage (or, when it sent none or the stream was cut, from an
 * estimate of the prompt and of what was delivered, flagged), and the estimate reserved against
 * budgets before dispatch.
 */
@Injectable()
export class CallCosting {
  private unpriced = 0;
  private readonly defaultOutput: number;

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly prices: PriceBook,
    private readonly planner: RoutePlanner,
  ) {
    this.defaultOutput = config.metering.defaultOutputReservation;
  }

  /** Calls answered by an unpriced model so far (for `gateway_unpriced_calls_total`). */
  get unpricedCalls(): number {
    return this.unpriced;
  }

  /**
   * The call's cost, computed on first use and kept on the context; undefined for a call no
   * upstream answered (refused, failed before any answer): it costs nothing.
   */
  costOf(context: GovernanceContext): CallCost | undefined {
    if (context.cost !== undefined) return context.cost;
    const answered = context.answeredBy;
    if (answered === undefined) return undefined;
    const usage = context.usage ?? this.estimatedUsage(context);
    const { price } = this.prices.priceFor(answered.provider, answered.model);
    if (price === undefined) this.unpriced += 1;
    context.cost = {
      nano: price === undefined ? 0 : costNano(usage, price),
      priced: price !== undefined,
      usage,
    };
    return context.cost;
  }

  /**
   * The estimate reserved before dispatch (contract 11.3): estimated prompt tokens at the input
   * rate plus the output cap (`max_tokens`, else the default reservation; none for embeddings) at
   * the output rate, for the dearest target the model could be routed to. Unpriced targets
   * reserve nothing.
   */
  estimateNano(context: GovernanceContext, promptTokens: number): number {
    const facts = context.facts;
    if (facts === undefined) return 0;
    const output = context.kind === 'embeddings' ? 0 : (facts.maxTokens ?? this.defaultOutput);
    let dearest = 0;
    for (const target of this.planner.candidates(facts.model)) {
      const { price } = this.prices.priceFor(target.provider, target.upstreamModel);
      if (price === undefined) continue;
      dearest = Math.max(
        dearest,
        costNano({ inputTokens: promptTokens, outputTokens: output }, price),
      );
    }
    return dearest;
  }

  /** Usage the upstream did not report: the prompt as estimated, the answer as delivered. */
  private estimatedUsage(context: GovernanceContext): CallUsage {
    return {
      inputTokens: promptTokensOf(context),
      outputTokens: estimateDeliveredTokens(context.delivered ?? []),
      estimated: true,
    };
  }
}
