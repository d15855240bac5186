import { Injectable } from '@nestjs/common';
import { lastValueFrom, map, type Observable, of } from 'rxjs';
import type { CancelSignal } from '../common/cancellation/cancel-signal.js';
import type { StreamFlow } from '../common/sse/stream-flow.js';
import type { ChatAnswerPart } from '../governance/pipeline/answer-stage.js';
import type { GovernanceContext } from '../governance/pipeline/governance-context.js';
import { GovernancePipeline } from '../governance/pipeline/governance-pipeline.service.js';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
} from '../providers/llm-provider.types.js';
import { estimatePromptTokens } from '../providers/usage-estimate.js';
import { FailoverExecutor, type Routed, type RoutedStream } from '../routing/failover.executor.js';
import {
  type CapabilityProbe,
  type PlannedTarget,
  type RoutePlan,
  RoutePlanner,
} from '../routing/route-planner.service.js';
import { assertCapabilities, capabilityGaps } from './capability-check.js';
import { shapeForCaller } from './chat-stream.operators.js';

/**
 * POST /v1/chat/completions, once the governance stages admitted the call: plan the route
 * (targets able to serve the request and allowed by governance), run it with retries, circuit
 * breakers and fallbacks, and pass the answer through the governance answer stages.
 */
@Injectable()
export class ChatCompletionsService {
  constructor(
    private readonly planner: RoutePlanner,
    private readonly executor: FailoverExecutor,
    private readonly governance: GovernancePipeline,
  ) {}

  async complete(
    request: ChatCompletionRequest,
    context: GovernanceContext,
    signal: CancelSignal,
    plan: RoutePlan = this.plan(request, context),
  ): Promise<Routed<ChatCompletion>> {
    const routed = await this.executor.run(plan, context, signal, (target, call) =>
      target.provider.complete(forTarget(request, target), call),
    );
    context.answeredBy = routed.answer;
    this.governance.usage(context, routed.value.usage);
    const operator = this.governance.answer(context);
    if (operator === undefined) return routed;
    const part = await lastValueFrom(
      of<ChatAnswerPart>({ kind: 'completion', value: routed.value }).pipe(operator),
    );
    return { value: (part as { value: ChatCompletion }).value, answer: routed.answer };
  }

  /**
   * A cold stream: nothing reaches an upstream until the caller subscribes. Planning failures
   * (governance's refusals of every target included) throw here, before any byte is written.
   * `flow` paces every attempt's upstream reading to the caller's.
   */
  stream(
    request: ChatCompletionRequest,
    context: GovernanceContext,
    flow?: StreamFlow,
    plan: RoutePlan = this.plan(request, context),
  ): RoutedStream<ChatCompletionChunk> {
    const includeUsage = request.stream_options?.include_usage === true;
    const routed = this.executor.stream(plan, context, (target, call) =>
      target.provider
        .chat$(forTarget(request, target), { ...call, flow })
        .pipe(
          shapeForCaller(includeUsage, target.provider.id, (usage) =>
            this.governance.usage(context, usage),
          ),
        ),
    );
    // Known at the first chunk, when the SSE writer asks for the headers.
    const answer = () => (context.answeredBy ??= routed.answer());
    return { events$: this.governed(routed.events$, context), answer };
  }

  private governed(
    events$: Observable<ChatCompletionChunk>,
    context: GovernanceContext,
  ): Observable<ChatCompletionChunk> {
    const operator = this.governance.answer(context);
    if (operator === undefined) return events$;
    return events$.pipe(
      map((value): ChatAnswerPart => ({ kind: 'chunk', value })),
      operator,
      map((part) => part.value as ChatCompletionChunk),
    );
  }

  /**
   * The targets able to serve the request and allowed by governance (an ingress that reaches
   * some targets otherwise, the Messages passthrough, plans once and hands the plan back).
   */
  plan(request: ChatCompletionRequest, context: GovernanceContext): RoutePlan {
    const probe: CapabilityProbe = {
      lacks: (target) => {
        const promptTokens = (context.estimatedPromptTokens ??= estimatePromptTokens(
          request.messages,
        ));
        const capabilities = target.provider.capabilities(target.upstreamModel);
        return capabilityGaps(request, capabilities, promptTokens).map((gap) => gap.what);
      },
      assert: (target) =>
        assertCapabilities(
          request,
          target.provider.capabilities(target.upstreamModel),
          target.provider.id,
          target.upstreamModel,
        ),
    };
    return this.planner.plan(request.model, probe, this.governance.routing(context));
  }
}

/** The request as a route target receives it: under the target's model when it differs. */
function forTarget(request: ChatCompletionRequest, target: PlannedTarget): ChatCompletionRequest {
  return target.model === request.model ? request : { ...request, model: target.model };
}
