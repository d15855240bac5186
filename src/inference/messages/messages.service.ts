import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { Observable } from 'rxjs';
import type { CancelSignal } from '../../common/cancellation/cancel-signal.js';
import type { StreamFlow } from '../../common/sse/stream-flow.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config/gateway-config.types.js';
import type { GovernanceContext } from '../../governance/pipeline/governance-context.js';
import type { ChatCompletionRequest } from '../../providers/llm-provider.types.js';
import {
  estimatePromptTokens,
  estimateTextTokens,
  loadTokenizer,
  tokenizerLoaded,
} from '../../providers/usage-estimate.js';
import type {
  MessagesJson,
  MessagesPassthrough,
  PassthroughEvent,
  PassthroughHeaders,
} from '../../providers/messages-passthrough.js';
import { FailoverExecutor, type Routed } from '../../routing/failover.executor.js';
import type { PlannedTarget, RoutePlan } from '../../routing/route-planner.service.js';
import { GovernancePipeline } from '../../governance/pipeline/governance-pipeline.service.js';
import type { AnsweredBy } from '../gateway-headers.js';
import { ChatCompletionsService } from '../chat-completions.service.js';
import type { CountTokensRequest, MessagesRequest } from './dto/messages-request.schema.js';
import { toMessagesAnswer } from './messages-response.mapper.js';
import { toMessagesEvents } from './messages-stream.operator.js';
import type { MessagesAnswer, MessagesStreamEvent } from './messages.types.js';

/**
 * POST /v1/messages and /v1/messages/count_tokens once the governance stages admitted the call.
 * The stages governed the request in the gateway's chat form (the route normalizes it) and the
 * route is planned from it. When every planned target speaks the Messages API natively and no
 * stage changed the request or must see the answer, the caller's body goes upstream as written
 * (passthrough, for fidelity). Otherwise the chat form, as the stages left it (PII redacted, say),
 * goes through the chat service's routing, failover and answer stages, and the answer comes back
 * in the Messages API's form.
 */
@Injectable()
export class MessagesService {
  private readonly logger = new Logger('Messages');
  private tokenizer?: Promise<void>;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly chat: ChatCompletionsService,
    private readonly executor: FailoverExecutor,
    private readonly governance: GovernancePipeline,
  ) {}

  async create(
    body: MessagesRequest,
    headers: PassthroughHeaders,
    context: GovernanceContext,
    signal: CancelSignal,
  ): Promise<Routed<MessagesAnswer | MessagesJson>> {
    const request = governed(context);
    const plan = this.chat.plan(request, context);
    if (this.native(plan, context)) {
      const routed = await this.executor.run(plan, context, signal, (target, call) =>
        passthroughOf(target).complete(body, { ...call, headers }),
      );
      context.answeredBy = routed.answer;
      this.governance.usage(context, routed.value.usage);
      return { value: routed.value.body, answer: routed.answer };
    }
    const { value, answer } = await this.chat.complete(request, context, signal, plan);
    return { value: toMessagesAnswer(value, messageId(), body.model), answer };
  }

  /** A cold stream of Messages events; planning failures throw here, before any byte. */
  stream(
    body: MessagesRequest,
    headers: PassthroughHeaders,
    context: GovernanceContext,
    flow: StreamFlow,
  ): {
    events$: Observable<MessagesStreamEvent | PassthroughEvent>;
    answer: () => AnsweredBy | undefined;
  } {
    const request = governed(context);
    const plan = this.chat.plan(request, context);
    if (this.native(plan, context)) {
      const routed = this.executor.stream(plan, context, (target, call) =>
        passthroughOf(target).stream$(body, { ...call, flow, headers }, (usage) =>
          this.governance.usage(context, usage),
        ),
      );
      return { events$: routed.events$, answer: () => (context.answeredBy ??= routed.answer()) };
    }
    const { events$, answer } = this.chat.stream(request, context, flow, plan);
    const inputTokens = (context.estimatedPromptTokens ??= estimatePromptTokens(request.messages));
    return {
      events$: events$.pipe(toMessagesEvents({ id: messageId(), model: body.model, inputTokens })),
      answer,
    };
  }

  /**
   * The prompt's tokens: the upstream's own count when the call would pass through to it, else
   * estimated with the gateway's tokenizer (o200k, loaded on the first count) over its messages
   * and the tool definitions the model also reads.
   */
  async countTokens(
    body: CountTokensRequest,
    headers: PassthroughHeaders,
    context: GovernanceContext,
    signal: CancelSignal,
  ): Promise<{ input_tokens: number }> {
    const plan = this.chat.plan(governed(context), context);
    if (this.native(plan, context)) {
      const routed = await this.executor.run(plan, context, signal, (target, call) =>
        passthroughOf(target).countTokens(body, { ...call, headers }),
      );
      return routed.value;
    }
    await this.ensureTokenizer();
    const request = governed(context);
    let tokens = estimatePromptTokens(request.messages);
    if (request.tools !== undefined) tokens += estimateTextTokens(JSON.stringify(request.tools));
    return { input_tokens: tokens };
  }

  private ensureTokenizer(): Promise<void> {
    const maxChars = this.config.metering.tokenizerMaxChars;
    if (maxChars === 0 || tokenizerLoaded()) return Promise.resolve();
    this.tokenizer ??= loadTokenizer(maxChars).catch((error: unknown) => {
      this.logger.warn(
        `Could not load the tokenizer; counts are four characters per token: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
    return this.tokenizer;
  }

  /** Every target of the plan takes the caller's body as written, and governance allows it. */
  private native(plan: RoutePlan, context: GovernanceContext): boolean {
    return (
      plan.targets.every((target) => target.provider.messagesPassthrough !== undefined) &&
      this.governance.nativeFormatAllowed(context)
    );
  }
}

function passthroughOf(target: PlannedTarget): MessagesPassthrough {
  return target.provider.messagesPassthrough!;
}

/** The request in chat form, as the governance stages left it. */
function governed(context: GovernanceContext): ChatCompletionRequest {
  return context.body as ChatCompletionRequest;
}

/** An id in the Messages API's style. */
function messageId(): string {
  return `msg_${randomBytes(12).toString('base64url')}`;
}
