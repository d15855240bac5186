import { Inject, Injectable } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { type CancelSignal, toAbortSignal } from '../../common/cancellation/cancel-signal.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config/gateway-config.types.js';
import { ImageFetcher } from '../http/image-fetcher.js';
import { coldUpstreamStream, type StreamPump } from '../http/cold-upstream-stream.js';
import { SseEventParser } from '../http/sse-event.parser.js';
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
import { GEMINI_PROVIDER_ID, geminiStatusError } from './gemini.errors.js';
import {
  embeddingTexts,
  toBatchEmbedBody,
  toEmbedContentBody,
  toEmbeddingResult,
} from './gemini-embedding.mapper.js';
import { imagesToInline, toGeminiChatBody } from './gemini-request.mapper.js';
import { geminiFields } from './gemini-thinking.mapper.js';
import { type AnswerMeta, toChatCompletion } from './gemini-response.mapper.js';
import { GeminiStreamReader } from './gemini-stream.reader.js';
import { newToolCallKey } from './gemini-tool-call-id.mapper.js';

const CAPABILITIES: ProviderCapabilities = {
  streaming: true,
  vision: true,
  tools: true,
  jsonSchema: 'native',
  jsonObject: 'native',
  embeddings: true,
  maxContextTokens: 1_000_000,
};

/**
 * Google's Generative Language API (wire-formats section 4) with the installation's key:
 * `generateContent`, `streamGenerateContent?alt=sse`, `embedContent` and `batchEmbedContents`.
 * Translation lives in the mappers; this class does the I/O (image inlining, the upstream call,
 * pumping the stream). Holds nothing per request.
 */
@Injectable()
export class GeminiAdapter extends LlmProvider {
  readonly id = GEMINI_PROVIDER_ID;
  override readonly serverAddress: string;

  private readonly origin: string;
  private readonly pathPrefix: string;
  /** The base URL's own query (a proxy's parameters), kept on every call. */
  private readonly query: string;
  private readonly headers: Readonly<Record<string, string>>;
  private readonly streamHeaders: Readonly<Record<string, string>>;
  private readonly secrets: readonly string[];

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly http: UpstreamHttpClient,
    private readonly images: ImageFetcher,
  ) {
    super();
    const settings = config.providers.gemini;
    // Parsed once: the hot path only concatenates strings.
    const base = new URL(settings.baseUrl);
    this.serverAddress = base.hostname;
    this.origin = base.origin;
    this.pathPrefix = base.pathname.replace(/\/+$/, '');
    this.query = base.search.slice(1);
    this.headers = { 'x-goog-api-key': settings.apiKey, accept: 'application/json' };
    this.streamHeaders = { ...this.headers, accept: 'text/event-stream' };
    this.secrets = [settings.apiKey];
  }

  capabilities(model: string): ProviderCapabilities {
    return { ...CAPABILITIES, fields: geminiFields(model) };
  }

  listModels(): ModelDescriptor[] {
    return this.config.providers.gemini.models.map((id) => ({ id, ownedBy: 'google' }));
  }

  async complete(request: ChatCompletionRequest, call: ProviderCall): Promise<ChatCompletion> {
    const context = this.context(call);
    try {
      const response = await this.http.requestJson({
        origin: this.origin,
        path: this.path(call.model, 'generateContent'),
        headers: this.headers,
        json: await this.chatBody(request, call.signal),
        signal: call.signal,
        timeouts: call.timeouts,
        traceContext: call.traceContext,
      });
      if (!response.ok) throw geminiStatusError(context, response);
      return toChatCompletion(response.body, this.meta(call, context));
    } catch (error) {
      throw upstreamFailureError(context, error);
    }
  }

  async embed(request: EmbeddingRequest, call: ProviderCall): Promise<EmbeddingResult> {
    const context = this.context(call);
    try {
      const texts = embeddingTexts(request);
      const single = texts.length === 1;
      const response = await this.http.requestJson({
        origin: this.origin,
        path: this.path(call.model, single ? 'embedContent' : 'batchEmbedContents'),
        headers: this.headers,
        json: single
          ? toEmbedContentBody(texts[0], request.dimensions)
          : toBatchEmbedBody(texts, call.model, request.dimensions),
        signal: call.signal,
        timeouts: call.timeouts,
        traceContext: call.traceContext,
      });
      if (!response.ok) throw geminiStatusError(context, response);
      return toEmbeddingResult(response.body, request, call.model, texts.length);
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

  /** Pumps one upstream stream into the caller's stream; Gemini ends it by closing the body. */
  private async stream(
    request: ChatCompletionRequest,
    call: ProviderCall,
    context: UpstreamContext,
    stream: StreamPump<ChatCompletionChunk>,
  ): Promise<void> {
    const { signal } = stream;
    const response = await this.http.openStream({
      origin: this.origin,
      path: this.path(call.model, 'streamGenerateContent', 'alt=sse'),
      headers: this.streamHeaders,
      json: await this.chatBody(request, signal),
      signal,
      timeouts: call.timeouts,
      traceContext: call.traceContext,
    });
    if (!response.ok) throw geminiStatusError(context, response);
    const parser = new SseEventParser();
    const reader = new GeminiStreamReader(this.meta(call, context));
    for await (const bytes of response.body) {
      for (const event of parser.push(bytes)) {
        for (const chunk of reader.read(event)) stream.next(chunk);
      }
      await stream.ready();
    }
    for (const event of parser.end()) {
      for (const chunk of reader.read(event)) stream.next(chunk);
    }
    const usage = reader.end();
    if (usage) stream.next(usage);
  }

  /** The request body, once every user image is inline bytes (Gemini fetches no URLs). */
  private async chatBody(
    request: ChatCompletionRequest,
    signal: CancelSignal | undefined,
  ): Promise<Record<string, unknown>> {
    const wanted = imagesToInline(request);
    const inlined = await Promise.all(
      wanted.map(({ part, param }) =>
        this.images.inline(part.image_url.url, param, toAbortSignal(signal)),
      ),
    );
    return toGeminiChatBody(request, new Map(wanted.map(({ part }, i) => [part, inlined[i]])));
  }

  /** `/v1beta/models/{model}:{method}`; the model is one path segment whatever the caller sent. */
  private path(model: string, method: string, extraQuery = ''): string {
    const query = [this.query, extraQuery].filter((q) => q !== '').join('&');
    return `${this.pathPrefix}/models/${encodeURIComponent(model)}:${method}${query === '' ? '' : `?${query}`}`;
  }

  private meta(call: ProviderCall, context: UpstreamContext): AnswerMeta {
    return {
      context,
      model: call.model,
      created: Math.floor(Date.now() / 1000),
      newKey: newToolCallKey,
    };
  }

  private context(call: ProviderCall): UpstreamContext {
    return { provider: GEMINI_PROVIDER_ID, traceId: call.traceId, secrets: this.secrets };
  }
}
