import { Injectable } from '@nestjs/common';
import type { Observable } from 'rxjs';
import type { CancelSignal } from '../../common/cancellation/cancel-signal.js';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import type { StreamFlow } from '../../common/sse/stream-flow.js';
import type { GovernanceContext } from '../../governance/pipeline/governance-context.js';
import { GovernancePipeline } from '../../governance/pipeline/governance-pipeline.service.js';
import type { ChatCompletionRequest } from '../../providers/llm-provider.types.js';
import type {
  ResponsesJson,
  ResponsesPassthrough,
  ResponsesPassthroughEvent,
} from '../../providers/responses-passthrough.js';
import { FailoverExecutor, type Routed } from '../../routing/failover.executor.js';
import type { PlannedTarget, RoutePlan } from '../../routing/route-planner.service.js';
import { ChatCompletionsService } from '../chat-completions.service.js';
import type { AnsweredBy } from '../gateway-headers.js';
import type { ResponsesRequest } from './dto/responses-request.schema.js';
import { translationGap } from './responses-request.mapper.js';
import { type ResponseFrame, responsesId, toResponse } from './responses-response.mapper.js';
import { toResponsesEvents } from './responses-stream.operator.js';
import type { ResponseObject, ResponsesStreamEvent } from './responses.types.js';

/**
 * POST /v1/responses once the governance stages admitted the call. The stages governed the request
 * in the gateway's chat form (the route normalizes it) and the route is planned from it. When
 * every planned target speaks the Responses API natively and no stage changed the request or must
 * see the answer, the caller's body goes upstream as written (passthrough: stored responses and
 * built-in tools work). Otherwise the chat form, as the stages left it, goes through the chat
 * service's routing, failover and answer stages, and the answer comes back as a response object;
 * what only the Responses API itself honours is then refused by name, before any upstream call.
 */
@Injectable()
export class ResponsesService {
  constructor(
    private readonly chat: ChatCompletionsService,
    private readonly executor: FailoverExecutor,
    private readonly governance: GovernancePipeline,
  ) {}

  async create(
    body: ResponsesRequest,
    context: GovernanceContext,
    signal: CancelSignal,
  ): Promise<Routed<ResponseObject | ResponsesJson>> {
    const plan = this.plan(body, context);
    if (this.native(plan, context)) {
      const routed = await this.executor.run(plan, context, signal, (target, call) =>
        passthroughOf(target).complete(body, call),
      );
      context.answeredBy = routed.answer;
      this.governance.usage(context, routed.value.usage);
      return { value: routed.value.body, answer: routed.answer };
    }
    const frame = translated(body);
    const { value, answer } = await this.chat.complete(governed(context), context, signal, plan);
    return { value: toResponse(value, frame), answer };
  }

  /** A cold stream of Responses events; planning failures and refusals throw here, before any byte. */
  stream(
    body: ResponsesRequest,
    context: GovernanceContext,
    flow: StreamFlow,
  ): {
    events$: Observable<ResponsesStreamEvent | ResponsesPassthroughEvent>;
    answer: () => AnsweredBy | undefined;
  } {
    const plan = this.plan(body, context);
    if (this.native(plan, context)) {
      const routed = this.executor.stream(plan, context, (target, call) =>
        passthroughOf(target).stream$(body, { ...call, flow }, (usage) =>
          this.governance.usage(context, usage),
        ),
      );
      return { events$: routed.events$, answer: () => (context.answeredBy ??= routed.answer()) };
    }
    const frame = translated(body);
    const { events$, answer } = this.chat.stream(governed(context), context, flow, plan);
    return { events$: events$.pipe(toResponsesEvents(frame)), answer };
  }

  /**
   * The route's targets able to serve the chat form. When none can, and the body holds what only
   * a native upstream honours, that is the refusal the caller needs to hear (a built-in tool
   * rather than "tools").
   */
  private plan(body: ResponsesRequest, context: GovernanceContext): RoutePlan {
    try {
      return this.chat.plan(governed(context), context);
    } catch (error) {
      const capability =
        error instanceof GatewayError &&
        (error.code === ErrorCode.UnsupportedCapability ||
          error.code === ErrorCode.UnsupportedResponseFormat ||
          error.code === ErrorCode.NoCapableProvider);
      throw (capability && translationGap(body)) || error;
    }
  }

  /** Every target of the plan takes the caller's body as written, and governance allows it. */
  private native(plan: RoutePlan, context: GovernanceContext): boolean {
    return (
      plan.targets.every((target) => target.provider.responsesPassthrough !== undefined) &&
      this.governance.nativeFormatAllowed(context)
    );
  }
}

/** The frame of a translated answer; refuses first what the translation cannot honour. */
function translated(body: ResponsesRequest): ResponseFrame {
  const gap = translationGap(body);
  if (gap !== undefined) throw gap;
  return { id: responsesId('resp'), createdAt: Math.floor(Date.now() / 1000), request: body };
}

function passthroughOf(target: PlannedTarget): ResponsesPassthrough {
  return target.provider.responsesPassthrough!;
}

/** The request in chat form, as the governance stages left it. */
function governed(context: GovernanceContext): ChatCompletionRequest {
  return context.body as ChatCompletionRequest;
}
