import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config/gateway-config.types.js';
import { coldUpstreamStream, pumpSse, type StreamPump } from '../http/cold-upstream-stream.js';
import type { SseEvent } from '../http/sse-event.parser.js';
import { type UpstreamContext, upstreamFailureError } from '../http/upstream-errors.js';
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
import { cohereGenerationError, cohereStatusError } from './cohere.errors.js';
import { toCohereChatBody, toCohereEmbedBody } from './cohere-request.mapper.js';
import { failedFinish, toChatCompletion, toEmbeddingResult } from './cohere-response.mapper.js';
import { CohereStreamReader } from './cohere-stream.reader.js';

const PROVIDER_ID = 'cohere';

/** Contract section 5: no vision, no response formats (refused before dispatch). */
const CAPABILITIES: ProviderCapabilities = {
  streaming: true,
  vision: false,
  tools: true,
  jsonSchema: 'none',
  jsonObject: 'none',
  embeddings: true,
  maxContextTokens: 128_000,
};

/**
 * Cohere's v2 Chat and Embed APIs (wire-formats section 8) with the installation's key: requests
 * and answers are translated by the pure mappers, streams by {@link CohereStreamReader}. Holds
 * nothing per request.
 */
@Injectable()
export class CohereAdapter extends LlmProvider {
  readonly id = PROVIDER_ID;
  override readonly serverAddress: string;

  private readonly origin: string;
  private readonly chatPath: string;
  private readonly embedPath: string;
  private readonly headers: Readonly<Record<string, string>>;
  private readonly streamHeaders: Readonly<Record<string, string>>;
  private readonly secrets: readonly string[];

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly http: UpstreamHttpClient,
  ) {
    super();
    const settings = config.providers.cohere;
    // A base URL may carry a path (an egress proxy); Cohere's own paths are appended to it.
    const base = new URL(settings.baseUrl);
    this.serverAddress = base.hostname;
    const prefix = base.pathname.replace(/\/+$/, '');
    this.origin = base.origin;
    this.chatPath = `${prefix}/v2/chat${base.search}`;
    this.embedPath = `${prefix}/v2/embed${base.search}`;
    this.headers = { authorization: `Bearer ${settings.apiKey}`, accept: 'application/json' };
    this.streamHeaders = { ...this.headers, accept: 'text/event-stream' };
    this.secrets = [settings.apiKey];
  }

  capabilities(_model: string): ProviderCapabilities {
    return { ...CAPABILITIES };
  }

  listModels(): ModelDescriptor[] {
    return this.config.providers.cohere.models.map((id) => ({ id, ownedBy: PROVIDER_ID }));
  }

  async complete(request: ChatCompletionRequest, call: ProviderCall): Promise<ChatCompletion> {
    const context = this.context(call);
    try {
      const response = await this.http.requestJson({
        origin: this.origin,
        path: this.chatPath,
        headers: this.headers,
        json: toCohereChatBody(request, call.model, false),
        signal: call.signal,
        timeouts: call.timeouts,
        traceContext: call.traceContext,
      });
      if (!response.ok) throw cohereStatusError(context, response);
      const failed = failedFinish(response.body);
      if (failed !== undefined) throw cohereGenerationError(context, failed, response.body);
      return toChatCompletion(response.body, call.model, nowSeconds());
    } catch (error) {
      throw upstreamFailureError(context, error);
    }
  }

  async embed(request: EmbeddingRequest, call: ProviderCall): Promise<EmbeddingResult> {
    const context = this.context(call);
    try {
      const response = await this.http.requestJson({
        origin: this.origin,
        path: this.embedPath,
        headers: this.headers,
        json: toCohereEmbedBody(request, call.model, this.config.providers.cohere.embedInputType),
        signal: call.signal,
        timeouts: call.timeouts,
        traceContext: call.traceContext,
      });
      if (!response.ok) throw cohereStatusError(context, response);
      return toEmbeddingResult(response.body, call.model);
    } catch (error) {
      throw upstreamFailureError(context, error);
    }
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
   * `message-end` and then reads the body to its end, so the keep-alive connection returns to
   * the pool instead of being destroyed.
   */
  private async stream(
    request: ChatCompletionRequest,
    call: ProviderCall,
    context: UpstreamContext,
    stream: StreamPump<ChatCompletionChunk>,
  ): Promise<void> {
    const { signal } = stream;
    const response = await this.http.openStream({
      origin: this.origin,
      path: this.chatPath,
      headers: this.streamHeaders,
      json: toCohereChatBody(request, call.model, true),
      signal,
      timeouts: call.timeouts,
      traceContext: call.traceContext,
    });
    if (!response.ok) throw cohereStatusError(context, response);
    const reader = new CohereStreamReader(context, {
      model: call.model,
      created: nowSeconds(),
      fallbackId: `chatcmpl-${randomUUID()}`,
    });
    // Cohere's reader names its closing step `end`.
    const chunks = {
      get done() {
        return reader.done;
      },
      read: (event: SseEvent) => reader.read(event),
      finish: () => reader.end(),
    };
    await pumpSse(response.body, chunks, stream);
  }

  private context(call: ProviderCall): UpstreamContext {
    return { provider: PROVIDER_ID, traceId: call.traceId, secrets: this.secrets };
  }
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
