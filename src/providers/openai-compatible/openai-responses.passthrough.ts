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
import type { ProviderCall } from '../llm-provider.js';
import type { Usage } from '../llm-provider.types.js';
import {
  ResponsesPassthrough,
  type ResponsesJson,
  type ResponsesPassthroughAnswer,
  type ResponsesPassthroughEvent,
} from '../responses-passthrough.js';
import { asJson, OpenAiResponsesReader, responsesUsage } from './openai-responses.reader.js';
import { openAiStatusHints } from './openai-wire.mapper.js';

/** Where and how a vendor's Responses API is reached, as its adapter resolved it. */
export interface ResponsesEndpoint {
  readonly provider: string;
  readonly origin: string;
  /** The path with any base-URL prefix and query. */
  readonly path: string;
  /** The credential headers. */
  readonly headers: Readonly<Record<string, string>>;
  readonly secrets: readonly string[];
}

/**
 * Responses calls forwarded as the caller wrote them (contract 16), for a vendor whose profile
 * names a Responses path: the body unchanged but for the model (the route's), with the
 * installation's credentials; answers and stream events relayed as sent, their usage read for
 * metering.
 */
export class OpenAiResponsesPassthrough extends ResponsesPassthrough {
  constructor(
    private readonly endpoint: ResponsesEndpoint,
    private readonly http: UpstreamHttpClient,
  ) {
    super();
  }

  async complete(body: ResponsesJson, call: ProviderCall): Promise<ResponsesPassthroughAnswer> {
    const context = this.context(call);
    try {
      const response = await this.http.requestJson({
        origin: this.endpoint.origin,
        path: this.endpoint.path,
        headers: { ...this.endpoint.headers, accept: 'application/json' },
        json: { ...body, model: call.model, stream: false },
        signal: call.signal,
        timeouts: call.timeouts,
        traceContext: call.traceContext,
      });
      if (!response.ok) throw this.statusError(context, response);
      const answer = asJson(response.body);
      if (answer?.object !== 'response') throw malformedAnswerError(context, 'not a response');
      return { body: answer, usage: responsesUsage(answer.usage) };
    } catch (error) {
      throw upstreamFailureError(context, error);
    }
  }

  stream$(
    body: ResponsesJson,
    call: ProviderCall,
    onUsage: (usage: Usage) => void,
  ): Observable<ResponsesPassthroughEvent> {
    const context = this.context(call);
    return coldUpstreamStream<ResponsesPassthroughEvent>(
      call,
      async (stream) => {
        const response = await this.http.openStream({
          origin: this.endpoint.origin,
          path: this.endpoint.path,
          headers: { ...this.endpoint.headers, accept: 'text/event-stream' },
          json: { ...body, model: call.model, stream: true },
          signal: stream.signal,
          timeouts: call.timeouts,
          traceContext: call.traceContext,
        });
        if (!response.ok) throw this.statusError(context, response);
        await pumpSse(response.body, new OpenAiResponsesReader(context, onUsage), stream);
      },
      (error) => upstreamFailureError(context, error),
    );
  }

  private statusError(context: UpstreamContext, response: UpstreamStatus) {
    return upstreamStatusError(context, response, openAiStatusHints(response.body));
  }

  private context(call: ProviderCall): UpstreamContext {
    return {
      provider: this.endpoint.provider,
      traceId: call.traceId,
      secrets: this.endpoint.secrets,
    };
  }
}
