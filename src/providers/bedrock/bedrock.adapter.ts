import { randomUUID } from 'node:crypto';
import {
  type BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  InvokeModelCommand,
} from '@aws-sdk/client-bedrock-runtime';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Observable, type Subscriber } from 'rxjs';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config/gateway-config.types.js';
import { ImageFetcher } from '../http/image-fetcher.js';
import {
  retryAfterSeconds,
  type UpstreamContext,
  upstreamFailureError,
  upstreamStatusError,
} from '../http/upstream-errors.js';
import { type CallTimeouts, LlmProvider, type ProviderCall } from '../llm-provider.js';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  EmbeddingRequest,
  EmbeddingResult,
  ModelDescriptor,
  ProviderCapabilities,
} from '../llm-provider.types.js';
import { CallDeadline } from '../http/call-deadline.js';
import {
  readTitanEmbedding,
  titanInputs,
  toEmbeddingResult,
  toTitanBody,
} from './bedrock-embedding.mapper.js';
import {
  asBedrockException,
  bedrockExceptionError,
  transportFailure,
} from './bedrock-error.mapper.js';
import {
  type ConversePlan,
  type InlineImages,
  imageReferences,
  toConversePlan,
} from './bedrock-request.mapper.js';
import { bedrockFields } from './bedrock-thinking.mapper.js';
import { type AnswerFrame, malformed, toChatCompletion } from './bedrock-response.mapper.js';
import { withTraceContext } from './bedrock-trace-context.middleware.js';
import { createBedrockRuntimeClient } from './bedrock-runtime.factory.js';
import { BedrockStreamReader } from './bedrock-stream.reader.js';

const PROVIDER_ID = 'bedrock';

const CAPABILITIES: ProviderCapabilities = {
  streaming: true,
  vision: true,
  tools: true,
  jsonSchema: 'emulated',
  jsonObject: 'emulated',
  embeddings: true,
  maxContextTokens: 200_000,
};

const logger = new Logger('BedrockAdapter');
const MAX_LOGGED_CHARS = 500;

/**
 * AWS Bedrock through the Converse API (wire-formats section 5) with the installation's AWS
 * credentials: `complete` is Converse, `chat$` ConverseStream, `embed` Titan through InvokeModel.
 * The SDK signs (SigV4) and frames; this class bounds each call in time, cancels it when the
 * caller goes away, and maps Bedrock's named exceptions. One SDK client per adapter.
 */
@Injectable()
export class BedrockAdapter extends LlmProvider implements OnApplicationShutdown {
  readonly id = PROVIDER_ID;

  private readonly client: BedrockRuntimeClient;
  private readonly limits: GatewayConfig['upstream'];
  private readonly secrets: readonly string[];

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly images: ImageFetcher,
  ) {
    super();
    const settings = config.providers.bedrock;
    this.limits = config.upstream;
    this.client = createBedrockRuntimeClient(config);
    // The key id is no secret, but it names the account: kept out of logs too.
    this.secrets = [settings.accessKey, settings.secretKey, settings.sessionToken].filter(
      (s) => s !== '',
    );
  }

  capabilities(model: string): ProviderCapabilities {
    return { ...CAPABILITIES, fields: bedrockFields(model) };
  }

  listModels(): ModelDescriptor[] {
    return this.config.providers.bedrock.models.map((id) => ({ id, ownedBy: PROVIDER_ID }));
  }

  async complete(request: ChatCompletionRequest, call: ProviderCall): Promise<ChatCompletion> {
    const context = this.context(call);
    const { requestMs } = this.timeouts(call);
    const deadline = new CallDeadline(call.signal, {
      totalMs: requestMs,
      totalMessage: `no complete answer within ${requestMs} ms`,
    });
    try {
      const plan = await this.plan(request, call, deadline.signal);
      const output = await this.client.send(
        withTraceContext(new ConverseCommand(plan.input), call.traceContext),
        {
          abortSignal: deadline.signal,
        },
      );
      return toChatCompletion(output, this.frame(call, plan, output.$metadata.requestId));
    } catch (error) {
      throw this.failure(context, error, deadline);
    } finally {
      deadline.dispose();
    }
  }

  chat$(request: ChatCompletionRequest, call: ProviderCall): Observable<ChatCompletionChunk> {
    return new Observable<ChatCompletionChunk>((subscriber) => {
      const context = this.context(call);
      const { streamMs, streamIdleMs } = this.timeouts(call);
      const deadline = new CallDeadline(call.signal, {
        totalMs: streamMs,
        totalMessage: `stream not finished within ${streamMs} ms`,
        idleMs: streamIdleMs,
        idleMessage: `no event for ${streamIdleMs} ms`,
      });
      // Set before the subscriber hears the outcome: its teardown must not abort a finished
      // call, which would destroy a keep-alive connection the SDK is handing back to the pool.
      let settled = false;
      this.stream(request, call, deadline, subscriber).then(
        () => {
          settled = true;
          deadline.dispose();
          subscriber.complete();
        },
        (error: unknown) => {
          settled = true;
          const failure = this.failure(context, error, deadline);
          deadline.dispose();
          subscriber.error(failure);
        },
      );
      return () => {
        // Unsubscribing before the end is the client going away: cancel the upstream call.
        if (!settled) deadline.cancel();
      };
    });
  }

  async embed(request: EmbeddingRequest, call: ProviderCall): Promise<EmbeddingResult> {
    const context = this.context(call);
    const { requestMs } = this.timeouts(call);
    const deadline = new CallDeadline(call.signal, {
      totalMs: requestMs,
      totalMessage: `no complete answer within ${requestMs} ms`,
    });
    try {
      const texts = titanInputs(request, call.model);
      // Titan embeds one text per call; the calls run side by side under one deadline.
      const answers = await Promise.all(
        texts.map(async (text) => {
          const output = await this.client.send(
            withTraceContext(
              new InvokeModelCommand({
                modelId: call.model,
                contentType: 'application/json',
                accept: 'application/json',
                body: toTitanBody(text, request.dimensions),
              }),
              call.traceContext,
            ),
            { abortSignal: deadline.signal },
          );
          return readTitanEmbedding(output.body);
        }),
      );
      return toEmbeddingResult(call.model, answers);
    } catch (error) {
      throw this.failure(context, error, deadline);
    } finally {
      deadline.dispose();
    }
  }

  /** The call's own limits (its provider's resilience settings), else `gateway.upstream`'s. */
  private timeouts(call: ProviderCall): CallTimeouts {
    return (
      call.timeouts ?? {
        requestMs: this.limits.requestTimeoutMs,
        streamMs: this.limits.streamTimeoutMs,
        streamIdleMs: this.limits.streamIdleTimeoutMs,
      }
    );
  }

  onApplicationShutdown(): void {
    this.client.destroy();
  }

  /** Pumps one ConverseStream into the subscriber, reading the body to its end. */
  private async stream(
    request: ChatCompletionRequest,
    call: ProviderCall,
    deadline: CallDeadline,
    subscriber: Subscriber<ChatCompletionChunk>,
  ): Promise<void> {
    const plan = await this.plan(request, call, deadline.signal);
    const output = await this.client.send(
      withTraceContext(new ConverseStreamCommand(plan.input), call.traceContext),
      {
        abortSignal: deadline.signal,
        requestTimeout: this.timeouts(call).streamIdleMs,
      },
    );
    deadline.touch();
    if (output.stream === undefined) throw malformed('the stream answer has no event stream');
    const reader = new BedrockStreamReader(this.frame(call, plan, output.$metadata.requestId));
    for await (const event of output.stream) {
      deadline.touch();
      for (const chunk of reader.read(event)) subscriber.next(chunk);
      // Not pulling the next event is what holds the upstream back while the caller reads slowly.
      const ready = call.flow?.ready();
      if (ready !== undefined) {
        deadline.pauseIdle();
        await ready;
        deadline.touch();
      }
    }
    const usage = reader.finish();
    if (usage) subscriber.next(usage);
  }

  /** Inlines the request's images (Converse takes bytes only), then maps the request. */
  private async plan(
    request: ChatCompletionRequest,
    call: ProviderCall,
    signal: AbortSignal,
  ): Promise<ConversePlan> {
    const refs = imageReferences(request.messages);
    const inlined = await Promise.all(
      refs.map(
        async (ref) => [ref.param, await this.images.inline(ref.url, ref.param, signal)] as const,
      ),
    );
    const images: InlineImages = new Map(inlined);
    return toConversePlan(request, call.model, images);
  }

  private frame(
    call: ProviderCall,
    plan: ConversePlan,
    requestId: string | undefined,
  ): AnswerFrame {
    return {
      // Bedrock's request id makes the completion findable in AWS logs.
      id: `chatcmpl-${requestId ?? randomUUID()}`,
      created: Math.floor(Date.now() / 1000),
      model: call.model,
      ...(plan.structuredTool === undefined ? {} : { structuredTool: plan.structuredTool }),
    };
  }

  /** Whatever a call threw, as the one error type the port allows. */
  private failure(context: UpstreamContext, error: unknown, deadline: CallDeadline): GatewayError {
    if (error instanceof GatewayError) return error;
    // Our own timeout or the caller's abort, whichever way the SDK reported it.
    const stopped = deadline.reason();
    if (stopped) return upstreamFailureError(context, stopped);
    const exception = asBedrockException(error);
    if (exception === undefined) return upstreamFailureError(context, transportFailure(error));
    const where = exception.status === undefined ? 'in the stream' : `HTTP ${exception.status}`;
    const detail = `${exception.name} (${where}): ${exception.message}`;
    const mapped = bedrockExceptionError(
      exception,
      PROVIDER_ID,
      retryAfterSeconds(exception.headers),
    );
    if (mapped === undefined) {
      // A name this adapter does not know: the status decides, as for any provider.
      return upstreamStatusError(context, {
        status: exception.status ?? 502,
        headers: exception.headers,
        body: detail,
      });
    }
    logger.warn(
      `Provider '${PROVIDER_ID}' failed (trace ${context.traceId}): ${this.mask(detail)}`,
    );
    return mapped;
  }

  private mask(text: string): string {
    let masked = text;
    for (const secret of this.secrets) masked = masked.split(secret).join('[redacted]');
    return masked.length > MAX_LOGGED_CHARS ? `${masked.slice(0, MAX_LOGGED_CHARS)}…` : masked;
  }

  private context(call: ProviderCall): UpstreamContext {
    return { provider: PROVIDER_ID, traceId: call.traceId, secrets: this.secrets };
  }
}
