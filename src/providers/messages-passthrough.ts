import type { Observable } from 'rxjs';
import type { ProviderCall } from './llm-provider.js';
import type { Usage } from './llm-provider.types.js';

/** What a caller of the Messages ingress sends besides the body that a native upstream honours. */
export interface PassthroughHeaders {
  /** `anthropic-version`; absent: the provider's configured one. */
  readonly version?: string;
  /** `anthropic-beta`, forwarded as sent. */
  readonly beta?: string;
}

export interface PassthroughCall extends ProviderCall {
  readonly headers: PassthroughHeaders;
}

/** A Messages request or answer body, or one stream event, as JSON. */
export type MessagesJson = Readonly<Record<string, unknown>>;

/** The upstream's answer as it sent it, and its usage in the gateway's terms (for metering). */
export interface PassthroughAnswer {
  readonly body: MessagesJson;
  readonly usage?: Usage;
}

/** One event of a native Messages stream, as the upstream sent it. */
export interface PassthroughEvent extends MessagesJson {
  readonly type: string;
}

/**
 * A provider whose upstream speaks the Messages API natively (contract 15): a Messages request is
 * forwarded with its fidelity (cache hints, thinking, system blocks, documents, beta features)
 * under the target's model and the installation's credentials, and the answer relayed as sent.
 * Errors are `GatewayError`s, as from any adapter.
 */
export abstract class MessagesPassthrough {
  abstract complete(body: MessagesJson, call: PassthroughCall): Promise<PassthroughAnswer>;

  /**
   * A cold stream of the upstream's events (the end marker included); `onUsage` hears the usage
   * once the upstream reported it. Errors (an `error` event, a stream cut before its end marker)
   * end the stream.
   */
  abstract stream$(
    body: MessagesJson,
    call: PassthroughCall,
    onUsage: (usage: Usage) => void,
  ): Observable<PassthroughEvent>;

  /** The upstream's own count of the prompt's tokens. */
  abstract countTokens(
    body: MessagesJson,
    call: PassthroughCall,
  ): Promise<{ input_tokens: number }>;
}
