import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { Observable } from 'rxjs';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config/gateway-config.types.js';
import type { GovernanceContext } from '../../governance/pipeline/governance-context.js';
import type { ChatCompletionRequest } from '../../providers/llm-provider.types.js';
import {
  estimatePromptTokens,
  estimateTextTokens,
  loadTokenizer,
  tokenizerLoaded,
} from '../../providers/usage-estimate.js';
import type { Routed } from '../../routing/failover.executor.js';
import type { AnsweredBy } from '../gateway-headers.js';
import { ChatCompletionsService } from '../chat-completions.service.js';
import type { MessagesRequest } from './dto/messages-request.schema.js';
import { toMessagesAnswer } from './messages-response.mapper.js';
import { toMessagesEvents } from './messages-stream.operator.js';
import type { MessagesAnswer, MessagesStreamEvent } from './messages.types.js';

/**
 * POST /v1/messages and /v1/messages/count_tokens once the governance stages admitted the call.
 * The stages governed the request in the gateway's chat form (the route normalizes it); that form,
 * as they left it (PII redacted, say), goes through the chat service's routing, failover and
 * answer stages, and the answer comes back in the Messages API's form.
 */
@Injectable()
export class MessagesService {
  private readonly logger = new Logger('Messages');
  private tokenizer?: Promise<void>;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly chat: ChatCompletionsService,
  ) {}

  async create(
    body: MessagesRequest,
    context: GovernanceContext,
    signal: AbortSignal,
  ): Promise<Routed<MessagesAnswer>> {
    const { value, answer } = await this.chat.complete(governed(context), context, signal);
    return { value: toMessagesAnswer(value, messageId(), body.model), answer };
  }

  /** A cold stream of Messages events; planning failures throw here, before any byte. */
  stream(
    body: MessagesRequest,
    context: GovernanceContext,
  ): { events$: Observable<MessagesStreamEvent>; answer: () => AnsweredBy | undefined } {
    const request = governed(context);
    const { events$, answer } = this.chat.stream(request, context);
    const inputTokens = (context.estimatedPromptTokens ??= estimatePromptTokens(request.messages));
    return {
      events$: events$.pipe(toMessagesEvents({ id: messageId(), model: body.model, inputTokens })),
      answer,
    };
  }

  /**
   * The prompt's tokens, estimated with the gateway's tokenizer (o200k, loaded on the first
   * count): its messages, and the tool definitions the model also reads.
   */
  async countTokens(context: GovernanceContext): Promise<{ input_tokens: number }> {
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
}

/** The request in chat form, as the governance stages left it. */
function governed(context: GovernanceContext): ChatCompletionRequest {
  return context.body as ChatCompletionRequest;
}

/** An id in the Messages API's style. */
function messageId(): string {
  return `msg_${randomBytes(12).toString('base64url')}`;
}
