import type { Observable } from 'rxjs';
import type { ProviderCall } from './llm-provider.js';
import type { Usage } from './llm-provider.types.js';

/** A Responses request or answer body, or one stream event, as JSON. */
export type ResponsesJson = Readonly<Record<string, unknown>>;

/** The upstream's response as it sent it, and its usage in the gateway's terms (for metering). */
export interface ResponsesPassthroughAnswer {
  readonly body: ResponsesJson;
  readonly usage?: Usage;
}

/** One event of a native Responses stream, as the upstream sent it. */
export interface ResponsesPassthroughEvent extends ResponsesJson {
  readonly type: string;
}

/**
 * A provider whose upstream speaks the Responses API natively (contract 16): a Responses request is
 * forwarded as the caller wrote it (stored responses, `previous_response_id`, built-in tools)
 * under the target's model and the installation's credentials, and the answer relayed as sent.
 * Errors are `GatewayError`s, as from any adapter.
 */
export abstract class ResponsesPassthrough {
  abstract complete(body: ResponsesJson, call: ProviderCall): Promise<ResponsesPassthroughAnswer>;

  /**
   * A cold stream of the upstream's events, up to and including the terminal one
   * (`response.completed`, `response.incomplete` or `response.failed`); `onUsage` hears the usage
   * the terminal event carries. An `error` event, or a stream cut before a terminal event, ends
   * the stream with an error.
   */
  abstract stream$(
    body: ResponsesJson,
    call: ProviderCall,
    onUsage: (usage: Usage) => void,
  ): Observable<ResponsesPassthroughEvent>;
}
