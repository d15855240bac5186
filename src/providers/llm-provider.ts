import type { Observable } from 'rxjs';
import type { CancelSignal } from '../common/cancellation/cancel-signal.js';
import type { StreamFlow } from '../common/sse/stream-flow.js';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  EmbeddingRequest,
  EmbeddingResult,
  ModelDescriptor,
  ProviderCapabilities,
} from './llm-provider.types.js';
import type { MessagesPassthrough } from './messages-passthrough.js';
import type { ResponsesPassthrough } from './responses-passthrough.js';

/**
 * How long one upstream attempt may take. The routing layer fills these from the provider's
 * resilience settings; adapters hand them to the HTTP client (or their SDK's deadline) as given.
 */
export interface CallTimeouts {
  /** A whole non-streaming call, from request to the last byte of the answer. */
  readonly requestMs: number;
  /** A whole streaming call. */
  readonly streamMs: number;
  /** The longest silence before the headers and between two stream chunks. */
  readonly streamIdleMs: number;
}

/** Per-call facts an adapter needs besides the request body. */
export interface ProviderCall {
  /** The model as the upstream knows it: the prefix is already stripped where the contract says. */
  readonly model: string;
  /** Correlates upstream logs with the caller's `X-Trace-ID`. */
  readonly traceId: string;
  /** Aborts the upstream request (client disconnect, shutdown). Streams use unsubscription. */
  readonly signal?: CancelSignal;
  /** This attempt's limits; absent: the `gateway.upstream` defaults. */
  readonly timeouts?: CallTimeouts;
  /**
   * Streams: the caller's demand. A stream reads no more of its upstream while it is held (the
   * caller reads slowly); absent: read as fast as the upstream sends.
   */
  readonly flow?: StreamFlow;
  /**
   * W3C Trace Context headers (`traceparent`, and `tracestate` when the trace has one) naming
   * this attempt's client span, sent to the upstream so a provider-side or egress-proxy trace
   * joins the gateway's. Absent when tracing is off: nothing is added then.
   */
  readonly traceContext?: Readonly<Record<string, string>>;
}

/**
 * The port every vendor adapter implements. Adapters are stateless, throw only `GatewayError`,
 * and never see the caller's credentials: they use the installation's configured ones.
 */
export abstract class LlmProvider {
  /** Lowercase kebab id (`openai`, `azure-openai`): the same string in config, logs and errors. */
  abstract readonly id: string;

  /** The upstream's host name, as traces name it (`server.address`); unknown when absent. */
  readonly serverAddress?: string;

  abstract capabilities(model: string): ProviderCapabilities;

  /**
   * Set by a provider whose upstream speaks the Messages API natively: Messages calls then reach
   * it unchanged instead of translated (contract 15).
   */
  readonly messagesPassthrough?: MessagesPassthrough;

  /**
   * Set by a provider whose upstream speaks the Responses API natively: Responses calls then reach
   * it unchanged instead of translated (contract 16).
   */
  readonly responsesPassthrough?: ResponsesPassthrough;

  /**
   * A cold stream of chunks: the upstream call starts on subscribe and is aborted on unsubscribe.
   * Errors before the first chunk surface as ordinary HTTP errors; the observable must error
   * (not complete) when the upstream ends without a finish reason.
   */
  abstract chat$(
    request: ChatCompletionRequest,
    call: ProviderCall,
  ): Observable<ChatCompletionChunk>;

  abstract complete(request: ChatCompletionRequest, call: ProviderCall): Promise<ChatCompletion>;

  abstract embed(request: EmbeddingRequest, call: ProviderCall): Promise<EmbeddingResult>;

  abstract listModels(): ModelDescriptor[];
}
