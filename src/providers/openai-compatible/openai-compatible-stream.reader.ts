import type { SseEvent } from '../http/sse-event.parser.js';
import { UpstreamContext, upstreamStreamError } from '../http/upstream-errors.js';
import { UpstreamHttpError } from '../http/upstream-http.error.js';
import type { ChatCompletionChunk } from '../llm-provider.types.js';
import type { OpenAiCompatibleProfile } from './openai-compatible.profile.js';
import { toChatChunk } from './openai-wire.mapper.js';

/** The parts of a vendor's profile a stream reader uses. */
export type StreamDialect = Pick<OpenAiCompatibleProfile, 'adaptChunk' | 'finishReason'>;

/**
 * Turns the SSE events of one OpenAI-compatible stream into the chunks the gateway emits
 * (contract 4.3): the first choice chunk carries `delta.role`; usage, wherever the upstream put
 * it (a `choices: []` chunk, the finish chunk, every chunk cumulatively; the vendor's
 * `adaptChunk` moves other places to the top level), is held back and emitted once, last, as a
 * `choices: []` chunk; choice-less chunks without usage (filter results) are dropped; a stream
 * that ends without a finish reason is an error. One reader per stream; it does no I/O.
 */
export class OpenAiCompatibleStreamReader {
  private roleSent = false;
  private finishSeen = false;
  private ended = false;
  private usageChunk: ChatCompletionChunk | undefined;

  constructor(
    private readonly context: UpstreamContext,
    private readonly dialect: StreamDialect = {},
  ) {}

  /** True once `[DONE]` arrived: later events are ignored. */
  get done(): boolean {
    return this.ended;
  }

  /** The chunk to emit for one event, if any. Throws a mapped error for an upstream error frame. */
  read(event: SseEvent): ChatCompletionChunk | undefined {
    if (this.ended) return undefined;
    if (event.data === '[DONE]') {
      this.ended = true;
      return undefined;
    }
    let json: unknown;
    try {
      json = JSON.parse(event.data);
    } catch (error) {
      throw new UpstreamHttpError('malformed_response', 'a stream event is not valid JSON', {
        cause: error,
      });
    }
    // openai-node treats both an `error` event and an `error` key as a failed stream.
    if (event.event === 'error' || hasError(json)) throw upstreamStreamError(this.context, json);

    if (this.dialect.adaptChunk && typeof json === 'object' && json !== null) {
      this.dialect.adaptChunk(json as Record<string, unknown>);
    }
    const chunk = toChatChunk(json, this.dialect.finishReason);
    if (chunk.usage) {
      this.usageChunk = { ...chunk, choices: [] };
      delete chunk.usage;
    }
    // A usage-only chunk, or a vendor's choice-less preamble (Azure's filter results).
    if (chunk.choices.length === 0) return undefined;

    if (!this.roleSent) {
      this.roleSent = true;
      const first = chunk.choices[0];
      if (first.delta.role === undefined) first.delta = { role: 'assistant', ...first.delta };
    }
    if (!this.finishSeen && chunk.choices.some((c) => c.finish_reason !== null)) {
      this.finishSeen = true;
    }
    return chunk;
  }

  /**
   * Called once the upstream is done (after `[DONE]` or at the end of the body): returns the
   * trailing usage chunk, if the upstream reported usage, or throws when no finish reason came.
   */
  finish(): ChatCompletionChunk | undefined {
    if (!this.finishSeen) {
      throw new UpstreamHttpError('malformed_response', 'stream ended without a finish reason');
    }
    return this.usageChunk;
  }
}

function hasError(json: unknown): boolean {
  return (
    typeof json === 'object' &&
    json !== null &&
    'error' in json &&
    json.error !== null &&
    json.error !== undefined
  );
}
