import { Injectable } from '@nestjs/common';
import type { Observable } from 'rxjs';
import type { LlmProvider, ProviderCall } from '../providers/llm-provider.js';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
} from '../providers/llm-provider.types.js';
import { ProviderRegistry } from '../providers/provider-registry.service.js';
import { assertCapabilities } from './capability-check.js';
import { shapeForCaller } from './chat-stream.operators.js';

/** A chat call resolved to its provider, checked, and ready to dispatch. */
export interface DispatchedChat<T> {
  readonly provider: LlmProvider;
  readonly upstreamModel: string;
  readonly result: T;
}

/** POST /v1/chat/completions: dispatch by model, refuse what the target cannot honour. */
@Injectable()
export class ChatCompletionsService {
  constructor(private readonly registry: ProviderRegistry) {}

  complete(
    request: ChatCompletionRequest,
    traceId: string,
    signal: AbortSignal,
  ): DispatchedChat<Promise<ChatCompletion>> {
    const { provider, call } = this.prepare(request, traceId, signal);
    return { provider, upstreamModel: call.model, result: provider.complete(request, call) };
  }

  /** A cold stream: nothing reaches the upstream until the caller subscribes. */
  stream(
    request: ChatCompletionRequest,
    traceId: string,
  ): DispatchedChat<Observable<ChatCompletionChunk>> {
    const { provider, call } = this.prepare(request, traceId);
    const includeUsage = request.stream_options?.include_usage === true;
    return {
      provider,
      upstreamModel: call.model,
      result: provider.chat$(request, call).pipe(shapeForCaller(includeUsage, provider.id)),
    };
  }

  private prepare(request: ChatCompletionRequest, traceId: string, signal?: AbortSignal) {
    const { provider, upstreamModel } = this.registry.resolve(request.model);
    assertCapabilities(request, provider.capabilities(upstreamModel), provider.id);
    const call: ProviderCall = { model: upstreamModel, traceId, signal };
    return { provider, call };
  }
}
