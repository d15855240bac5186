import { Inject, Injectable } from '@nestjs/common';
import type { Observable } from 'rxjs';
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
import { OpenAiStreamReader } from './openai-stream.reader.js';
import {
  openAiStatusHints,
  toChatCompletion,
  toEmbeddingResult,
  toOpenAiChatBody,
  toOpenAiEmbeddingBody,
} from './openai.mapper.js';

const PROVIDER_ID = 'openai';

const CAPABILITIES: ProviderCapabilities = {
  streaming: true,
  vision: true,
  tools: true,
  jsonSchema: 'native',
  jsonObject: 'native',
  embeddings: true,
  maxContextTokens: 128_000,
};

/**
 * OpenAI's Chat Completions and Embeddings APIs (wire-formats section 1) with the installation's
 * key. The gateway already speaks OpenAI's shapes, so the work here is forwarding only validated
 * fields and normalising what comes back. Holds nothing per request.
 */
@Injectable()
export class OpenAiAdapter extends LlmProvider {
  readonly id = PROVIDER_ID;

  private readonly origin: string;
  private readonly chatPath: string;
  private readonly embeddingsPath: string;
  private readonly headers: Readonly<Record<string, string>>;
  private readonly streamHeaders: Readonly<Record<string, string>>;
  private readonly secrets: readonly string[];

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly http: UpstreamHttpClient,
  ) {
    super();
    const settings = config.providers.openai;
    // Parsed once: the hot path only concatenates strings.
    const base = new URL(settings.baseUrl);
    const prefix = base.pathname.replace(/\/+$/, '');
    this.origin = base.origin;
    this.chatPath = `${prefix}/chat/completions${base.search}`;
    this.embeddingsPath = `${prefix}/embeddings${base.search}`;
    const headers: Record<string, string> = {
      authorization: `Bearer ${settings.apiKey}`,
      accept: 'application/json',
    };
    if (settings.organization !== '') headers['openai-organization'] = settings.organization;
    if (settings.project !== '') headers['openai-project'] = settings.project;
    this.headers = headers;
    this.streamHeaders = { ...headers, accept: 'text/event-stream' };
    this.secrets = [settings.apiKey];
  }

  capabilities(_model: string): ProviderCapabilities {
    return { ...CAPABILITIES };
  }

  listModels(): ModelDescriptor[] {
    return this.config.providers.openai.models.map((id) => ({ id, ownedBy: 'openai' }));
  }

  async complete(request: ChatCompletionRequest, call: ProviderCall): Promise<ChatCompletion> {
    const context = this.context(call);
    try {
      const response = await this.http.requestJson({
        origin: this.origin,
        path: this.chatPath,
        headers: this.headers,
        json: toOpenAiChatBody(request, call.model, false),
        signal: call.signal,
      });
      if (!response.ok) {
        throw upstreamStatusError(context, response, openAiStatusHints(response.body));
      }
      return toChatCompletion(response.body);
    } catch (error) {
      throw upstreamFailureError(context, error);
    }
  }

  async embed(request: EmbeddingRequest, call: ProviderCall): Promise<EmbeddingResult> {
    const context = this.context(call);
    try {
      const response = await this.http.requestJson({
        origin: this.origin,
        path: this.embeddingsPath,
        headers: this.headers,
        json: toOpenAiEmbeddingBody(request, call.model),
        signal: call.signal,
      });
      if (!response.ok) {
        throw upstreamStatusError(context, response, openAiStatusHints(response.body));
      }
      return toEmbeddingResult(response.body);
    } catch (error) {
      throw upstreamFailureError(context, error);
    }
  }

  chat$(request: ChatCompletionRequest, call: ProviderCall): Observable<ChatCompletionChunk> {
    const context = this.context(call);
    return coldUpstreamStream(
      call.signal,
      (stream) => this.stream(request, call, context, stream),
      (error) => upstreamFailureError(context, error),
    );
  }

  /**
   * Pumps one upstream stream into the caller's stream. It ends that stream itself at `[DONE]`
   * and then reads the body to its end, so the keep-alive connection returns to the pool instead
   * of being destroyed.
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
      json: toOpenAiChatBody(request, call.model, true),
      signal,
    });
    if (!response.ok) {
      throw upstreamStatusError(context, response, openAiStatusHints(response.body));
    }
    await pumpSse(response.body, new OpenAiStreamReader(context), stream);
  }

  private context(call: ProviderCall): UpstreamContext {
    return { provider: PROVIDER_ID, traceId: call.traceId, secrets: this.secrets };
  }
}
