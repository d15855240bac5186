import { Injectable } from '@nestjs/common';
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
  RoutePlanner,
} from '../routing/route-planner.service.js';
import { assertCapabilities, assertServable, capabilityGaps } from './capability-check.js';
import { shapeForCaller } from './chat-stream.operators.js';

/**
 * POST /v1/chat/completions: plan the route (targets able to serve the request), then run it
 * with retries, circuit breakers and fallbacks.
 */
@Injectable()
export class ChatCompletionsService {
  constructor(
    private readonly planner: RoutePlanner,
    private readonly executor: FailoverExecutor,
  ) {}

  complete(
    request: ChatCompletionRequest,
    traceId: string,
    signal: AbortSignal,
  ): Promise<Routed<ChatCompletion>> {
    const plan = this.plan(request);
    return this.executor.run(plan, traceId, signal, (target, call) =>
      target.provider.complete(forTarget(request, target), call),
    );
  }

  /**
   * A cold stream: nothing reaches an upstream until the caller subscribes. Planning failures
   * throw here, before any byte is written.
   */
  stream(request: ChatCompletionRequest, traceId: string): RoutedStream<ChatCompletionChunk> {
    const plan = this.plan(request);
    const includeUsage = request.stream_options?.include_usage === true;
    return this.executor.stream(plan, traceId, (target, call) =>
      target.provider
        .chat$(forTarget(request, target), call)
        .pipe(shapeForCaller(includeUsage, target.provider.id)),
    );
  }

  private plan(request: ChatCompletionRequest) {
    assertServable(request);
    let promptTokens: number | undefined;
    const probe: CapabilityProbe = {
      lacks: (target) => {
        promptTokens ??= estimatePromptTokens(request.messages);
        const capabilities = target.provider.capabilities(target.upstreamModel);
        return capabilityGaps(request, capabilities, promptTokens).map((gap) => gap.what);
      },
      assert: (target) =>
        assertCapabilities(
          request,
          target.provider.capabilities(target.upstreamModel),
          target.provider.id,
        ),
    };
    return this.planner.plan(request.model, probe);
  }
}

/** The request as a route target receives it: under the target's model when the route maps one. */
function forTarget(request: ChatCompletionRequest, target: PlannedTarget): ChatCompletionRequest {
  return target.model === request.model ? request : { ...request, model: target.model };
}
