import { Inject, Injectable } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config/gateway-config.types.js';
import { coldUpstreamStream, pumpSse, type StreamPump } from '../http/cold-upstream-stream.js';
import {
  type UpstreamContext,
  upstreamFailureError,
  upstreamStatusError,
} from '../http/upstream-errors.js';
import { UpstreamHttpClient } from '../http/upstream-http.client.js';
import { LlmProvider, type ProviderCall } from '../llm-provider.js';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  EmbeddingRequest,
  EmbeddingResult,
  ModelDescriptor,
  ProviderCapabilities,
} from '../llm-provider.types.js';
import type { MessagesPassthrough } from '../messages-passthrough.js';
import { AnthropicMessagesPassthrough } from './anthropic-passthrough.adapter.js';
import { anthropicFields } from './anthropic.parameter-map.js';
import { toAnthropicRequest } from './anthropic-request.mapper.js';
import { toChatCompletion } from './anthropic-response.mapper.js';
import { AnthropicStreamReader } from './anthropic-stream.reader.js';

const PROVIDER_ID = 'anthropic';

const CAPABILITIES: ProviderCapabilities = {
  streaming: true,
  vision: true,
  tools: true,
  jsonSchema: 'emulated',
  jsonObject: 'emulated',
  embeddings: false,
  maxContextTokens: 200_000,
};

/**
 * Anthropic's Messages API (wire-formats section 3) with the installation's key: OpenAI requests
 * are translated by the pure mappers beside this file, answers and streams translated back.
 * Messages calls for Anthropic models can also pass through as written ({@link
 * AnthropicMessagesPassthrough}). Holds nothing per request.
 */
@Injectable()
export class AnthropicAdapter extends LlmProvider {
  readonly id = PROVIDER_ID;
  override readonly serverAddress: string;
  override readonly messagesPassthrough: MessagesPassthrough;

  private readonly origin: string;
  private readonly messagesPath: string;
  private readonly headers: Readonly<Record<string, string>>;
  private readonly streamHeaders: Readonly<Record<string, string>>;
  private readonly defaultMaxTokens: number;
  private readonly secrets: readonly string[];

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly http: UpstreamHttpClient,
  ) {
    super();
    const settings = config.providers.anthropic;
    // Parsed once: the hot path only concatenates strings. A path in the base URL (an egress
    // proxy) is kept in front of /v1/messages.
    const base = new URL(settings.baseUrl);
    this.serverAddress = base.hostname;
    const prefix = base.pathname.replace(/\/+$/, '');
    this.origin = base.origin;
    this.messagesPath = `${prefix}/v1/messages${base.search}`;
    this.headers = {
      'x-api-key': settings.apiKey,
      'anthropic-version': settings.version,
      accept: 'application/json',
    };
    this.streamHeaders = { ...this.headers, accept: 'text/event-stream' };
    this.defaultMaxTokens = settings.defaultMaxTokens;
    this.secrets = [settings.apiKey];
    this.messagesPassthrough = new AnthropicMessagesPassthrough(
      {
        origin: this.origin,
        messagesPath: this.messagesPath,
        countTokensPath: `${prefix}/v1/messages/count_tokens${base.search}`,
        apiKey: settings.apiKey,
        version: settings.version,
      },
      http,
      PROVIDER_ID,
    );
  }

  capabilities(model: string): ProviderCapabilities {
    return { ...CAPABILITIES, fields: anthropicFields(model) };
  }

  listModels(): ModelDescriptor[] {
    return this.config.providers.anthropic.models.map((id) => ({ id, ownedBy: PROVIDER_ID }));
  }

  async complete(request: ChatCompletionRequest, call: ProviderCall): Promise<ChatCompletion> {
    const context = this.context(call);
    try {
      const plan = toAnthropicRequest(request, this.requestOptions(call, false));
      const response = await this.http.requestJson({
        origin: this.origin,
        path: this.messagesPath,
        headers: this.headers,
        json: plan.body,
        signal: call.signal,
        timeouts: call.timeouts,
        traceContext: call.traceContext,
      });
      if (!response.ok) throw upstreamStatusError(context, response);
      return toChatCompletion(response.body, plan.structuredOutput, nowSeconds());
    } catch (error) {
      throw upstreamFailureError(context, error);
    }
  }

  /** Anthropic has no embeddings API; the capability check refuses before this is reached. */
  embed(_request: EmbeddingRequest, _call: ProviderCall): Promise<EmbeddingResult> {
    return Promise.reject(
      new GatewayError(
        ErrorCode.UnsupportedCapability,
        "Provider 'anthropic' does not support embeddings.",
        { param: 'model', provider: PROVIDER_ID },
      ),
    );
  }

  chat$(request: ChatCompletionRequest, call: ProviderCall): Observable<ChatCompletionChunk> {
    const context = this.context(call);
    return coldUpstreamStream(
      call,
      (stream) => this.stream(request, call, context, stream),
      (error) => upstreamFailureError(context, error),
    );
  }

  /**
   * Pumps one upstream stream into the caller's stream. It ends that stream itself at
   * `message_stop` and then reads the body to its end, so the keep-alive connection returns to
   * the pool instead of being destroyed.
   */
  private async stream(
    request: ChatCompletionRequest,
    call: ProviderCall,
    context: UpstreamContext,
    stream: StreamPump<ChatCompletionChunk>,
  ): Promise<void> {
    const { signal } = stream;
    const plan = toAnthropicRequest(request, this.requestOptions(call, true));
    const response = await this.http.openStream({
      origin: this.origin,
      path: this.messagesPath,
      headers: this.streamHeaders,
      json: plan.body,
      signal,
      timeouts: call.timeouts,
      traceContext: call.traceContext,
    });
    if (!response.ok) throw upstreamStatusError(context, response);
    await pumpSse(
      response.body,
      new AnthropicStreamReader(context, {
        structuredOutput: plan.structuredOutput,
        created: nowSeconds(),
      }),
      stream,
    );
  }

  private requestOptions(call: ProviderCall, stream: boolean) {
    return { model: call.model, stream, defaultMaxTokens: this.defaultMaxTokens };
  }

  private context(call: ProviderCall): UpstreamContext {
    return { provider: PROVIDER_ID, traceId: call.traceId, secrets: this.secrets };
  }
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
