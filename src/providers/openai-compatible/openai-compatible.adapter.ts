import type { Observable } from 'rxjs';
import { coldUpstreamStream, pumpSse, type StreamPump } from '../http/cold-upstream-stream.js';
import {
  type UpstreamContext,
  upstreamFailureError,
  type UpstreamStatus,
  upstreamStatusError,
} from '../http/upstream-errors.js';
import type { UpstreamHttpClient } from '../http/upstream-http.client.js';
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
import type { ResponsesPassthrough } from '../responses-passthrough.js';
import { OpenAiCompatibleStreamReader } from './openai-compatible-stream.reader.js';
import { OpenAiResponsesPassthrough } from './openai-responses.passthrough.js';
import type { OpenAiCompatibleProfile, WireJson } from './openai-compatible.profile.js';
import { toOpenAiChatBody, toOpenAiEmbeddingBody } from './openai-request.mapper.js';
import { openAiStatusHints, toChatCompletion, toEmbeddingResult } from './openai-wire.mapper.js';

/**
 * One adapter for every vendor that speaks OpenAI's Chat Completions and Embeddings wire format
 * (wire-formats sections 1, 2, 6.2, 7, 9-16). A vendor folder subclasses it with its
 * {@link OpenAiCompatibleProfile}; this class does the calls, the streaming and the error mapping
 * the same way for all. Holds nothing per request.
 */
export abstract class OpenAiCompatibleAdapter extends LlmProvider {
  readonly id: string;
  override readonly serverAddress: string;
  /** Set when the profile names the vendor's Responses API (contract 16). */
  override readonly responsesPassthrough: ResponsesPassthrough | undefined;

  private readonly origin: string;
  private readonly basePath: string;
  private readonly search: string;
  private readonly headers: Readonly<Record<string, string>>;
  private readonly streamHeaders: Readonly<Record<string, string>>;
  private readonly defaultChatPath: string;

  protected constructor(
    protected readonly profile: OpenAiCompatibleProfile,
    private readonly http: UpstreamHttpClient,
  ) {
    super();
    this.id = profile.id;
    // Parsed once: the hot path only concatenates strings.
    const base = new URL(profile.baseUrl);
    this.serverAddress = base.hostname;
    for (const [name, value] of Object.entries(profile.query ?? {})) {
      base.searchParams.set(name, value);
    }
    this.origin = base.origin;
    this.basePath = base.pathname.replace(/\/+$/, '');
    this.search = base.search;
    this.headers = { accept: 'application/json', ...profile.headers };
    this.streamHeaders = { ...this.headers, accept: 'text/event-stream' };
    this.defaultChatPath = `${this.basePath}/chat/completions${this.search}`;
    const responsesPath = profile.responsesPath;
    this.responsesPassthrough =
      responsesPath === undefined
        ? undefined
        : new OpenAiResponsesPassthrough(
            {
              provider: profile.id,
              origin: this.origin,
              path: `${this.basePath}${responsesPath}${this.search}`,
              headers: profile.headers,
              secrets: profile.secrets,
            },
            http,
          );
  }

  capabilities(model: string): ProviderCapabilities {
    return this.profile.capabilities(model);
  }

  listModels(): ModelDescriptor[] {
    return this.profile.listModels();
  }

  async complete(request: ChatCompletionRequest, call: ProviderCall): Promise<ChatCompletion> {
    const context = this.context(call);
    try {
      const response = await this.http.requestJson({
        origin: this.origin,
        path: this.chatPath(call.model),
        headers: this.headers,
        json: this.chatBody(request, call.model, false),
        signal: call.signal,
        timeouts: call.timeouts,
        traceContext: call.traceContext,
      });
      if (!response.ok) throw this.statusError(context, response);
      const { body } = response;
      if (this.profile.adaptCompletion && typeof body === 'object' && body !== null) {
        this.profile.adaptCompletion(body as WireJson);
      }
      return toChatCompletion(body, this.profile.finishReason);
    } catch (error) {
      throw upstreamFailureError(context, error);
    }
  }

  async embed(request: EmbeddingRequest, call: ProviderCall): Promise<EmbeddingResult> {
    const context = this.context(call);
    const path = this.profile.embeddingsPath?.(call.model);
    if (path === undefined) {
      // The service checks capabilities first; reaching here is a profile that says otherwise.
      throw upstreamFailureError(context, new Error(`${this.id} has no embeddings path`));
    }
    try {
      const response = await this.http.requestJson({
        origin: this.origin,
        path: `${this.basePath}${path}${this.search}`,
        headers: this.headers,
        json: toOpenAiEmbeddingBody(request, call.model, this.profile.embeddingsBase64),
        signal: call.signal,
        timeouts: call.timeouts,
        traceContext: call.traceContext,
      });
      if (!response.ok) throw this.statusError(context, response);
      return toEmbeddingResult(response.body);
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
    const response = await this.http.openStream({
      origin: this.origin,
      path: this.chatPath(call.model),
      headers: this.streamHeaders,
      json: this.chatBody(request, call.model, true),
      signal: stream.signal,
      timeouts: call.timeouts,
      traceContext: call.traceContext,
    });
    if (!response.ok) throw this.statusError(context, response);
    await pumpSse(response.body, new OpenAiCompatibleStreamReader(context, this.profile), stream);
  }

  private chatBody(request: ChatCompletionRequest, model: string, stream: boolean) {
    const { fields } = this.profile.capabilities(model);
    const body = toOpenAiChatBody(request, model, stream, this.profile.streamUsage, fields);
    this.profile.adaptChatBody?.(body, request);
    return body;
  }

  private chatPath(model: string): string {
    const path = this.profile.chatPath?.(model);
    return path === undefined ? this.defaultChatPath : `${this.basePath}${path}${this.search}`;
  }

  private statusError(context: UpstreamContext, response: UpstreamStatus) {
    const hints = this.profile.statusHints?.(response.body) ?? openAiStatusHints(response.body);
    return upstreamStatusError(context, response, hints);
  }

  private context(call: ProviderCall): UpstreamContext {
    return { provider: this.id, traceId: call.traceId, secrets: this.profile.secrets };
  }
}
