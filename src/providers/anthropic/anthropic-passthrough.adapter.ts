import type { Observable } from 'rxjs';
import { coldUpstreamStream, pumpSse } from '../http/cold-upstream-stream.js';
import {
  malformedAnswerError,
  type UpstreamContext,
  type UpstreamStatus,
  upstreamFailureError,
  upstreamStatusError,
} from '../http/upstream-errors.js';
import type { UpstreamHttpClient } from '../http/upstream-http.client.js';
import type { Usage } from '../llm-provider.types.js';
import {
  type MessagesJson,
  MessagesPassthrough,
  type PassthroughAnswer,
  type PassthroughCall,
  type PassthroughEvent,
} from '../messages-passthrough.js';
import { withNativeError } from './anthropic-passthrough.errors.js';
import { AnthropicPassthroughReader } from './anthropic-passthrough.reader.js';
import { asRecord, toUsage } from './anthropic-response.mapper.js';

/** Where and how the passthrough reaches Anthropic: the adapter's settings, parsed once. */
export interface AnthropicPassthroughSettings {
  readonly origin: string;
  /** The Messages path, with any base-URL prefix and query. */
  readonly messagesPath: string;
  readonly countTokensPath: string;
  readonly apiKey: string;
  /** Sent when the caller gave no `anthropic-version`. */
  readonly version: string;
}

/**
 * Messages calls for Anthropic models, forwarded as the caller wrote them (contract 15): the body
 * unchanged but for the model (the route's), with the installation's key, the caller's
 * `anthropic-version` (else the configured one) and `anthropic-beta`; answers and stream events
 * relayed as Anthropic sent them, their usage read for metering.
 */
export class AnthropicMessagesPassthrough extends MessagesPassthrough {
  constructor(
    private readonly settings: AnthropicPassthroughSettings,
    private readonly http: UpstreamHttpClient,
    private readonly provider: string,
  ) {
    super();
  }

  async complete(body: MessagesJson, call: PassthroughCall): Promise<PassthroughAnswer> {
    const context = this.context(call);
    try {
      const response = await this.http.requestJson({
        origin: this.settings.origin,
        path: this.settings.messagesPath,
        headers: this.headers(call, 'application/json'),
        json: { ...body, model: call.model, stream: false },
        signal: call.signal,
        timeouts: call.timeouts,
        traceContext: call.traceContext,
      });
      if (!response.ok) throw this.statusError(context, response);
      const answer = asRecord(response.body);
      if (answer?.type !== 'message') throw malformedAnswerError(context, 'not a message');
      return { body: answer, usage: toUsage(answer.usage) };
    } catch (error) {
      throw upstreamFailureError(context, error);
    }
  }

  stream$(
    body: MessagesJson,
    call: PassthroughCall,
    onUsage: (usage: Usage) => void,
  ): Observable<PassthroughEvent> {
    const context = this.context(call);
    return coldUpstreamStream<PassthroughEvent>(
      call,
      async (stream) => {
        const response = await this.http.openStream({
          origin: this.settings.origin,
          path: this.settings.messagesPath,
          headers: this.headers(call, 'text/event-stream'),
          json: { ...body, model: call.model, stream: true },
          signal: stream.signal,
          timeouts: call.timeouts,
          traceContext: call.traceContext,
        });
        if (!response.ok) throw this.statusError(context, response);
        const reader = new AnthropicPassthroughReader(context, onUsage, this.settings.apiKey);
        await pumpSse(response.body, reader, stream);
      },
      (error) => upstreamFailureError(context, error),
    );
  }

  async countTokens(body: MessagesJson, call: PassthroughCall): Promise<{ input_tokens: number }> {
    const context = this.context(call);
    try {
      const response = await this.http.requestJson({
        origin: this.settings.origin,
        path: this.settings.countTokensPath,
        headers: this.headers(call, 'application/json'),
        json: { ...body, model: call.model },
        signal: call.signal,
        timeouts: call.timeouts,
        traceContext: call.traceContext,
      });
      if (!response.ok) throw this.statusError(context, response);
      const count = asRecord(response.body)?.input_tokens;
      if (typeof count !== 'number') throw malformedAnswerError(context, 'no input_tokens');
      return { input_tokens: count };
    } catch (error) {
      throw upstreamFailureError(context, error);
    }
  }

  private headers(call: PassthroughCall, accept: string): Record<string, string> {
    const headers: Record<string, string> = {
      'x-api-key': this.settings.apiKey,
      'anthropic-version': call.headers.version ?? this.settings.version,
      accept,
    };
    if (call.headers.beta !== undefined) headers['anthropic-beta'] = call.headers.beta;
    return headers;
  }

  private statusError(context: UpstreamContext, response: UpstreamStatus) {
    const error = upstreamStatusError(context, response);
    return withNativeError(error, response.body, response.status, this.settings.apiKey);
  }

  private context(call: PassthroughCall): UpstreamContext {
    return { provider: this.provider, traceId: call.traceId, secrets: [this.settings.apiKey] };
  }
}
