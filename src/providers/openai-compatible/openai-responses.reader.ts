import type { SseChunkReader } from '../http/cold-upstream-stream.js';
import type { SseEvent } from '../http/sse-event.parser.js';
import { type UpstreamContext, upstreamStreamError } from '../http/upstream-errors.js';
import { UpstreamHttpError } from '../http/upstream-http.error.js';
import type { Usage } from '../llm-provider.types.js';
import type { ResponsesPassthroughEvent } from '../responses-passthrough.js';

/** The events that end a Responses stream, each carrying the whole response. */
const TERMINAL: ReadonlySet<string> = new Set([
  'response.completed',
  'response.incomplete',
  'response.failed',
]);

type Json = Record<string, unknown>;

/**
 * Relays the events of one native Responses stream as they are, reading only what metering
 * needs: the usage of the terminal event. An `error` event fails the stream; a body that ends
 * before a terminal event is a malformed answer, not a silent success.
 */
export class OpenAiResponsesReader implements SseChunkReader<ResponsesPassthroughEvent> {
  private ended = false;

  constructor(
    private readonly context: UpstreamContext,
    private readonly onUsage: (usage: Usage) => void,
  ) {}

  get done(): boolean {
    return this.ended;
  }

  read(event: SseEvent): ResponsesPassthroughEvent | undefined {
    if (this.ended || event.data === '[DONE]') return undefined;
    let json: Json | undefined;
    try {
      json = asJson(JSON.parse(event.data));
    } catch (error) {
      throw new UpstreamHttpError('malformed_response', 'a stream event is not valid JSON', {
        cause: error,
      });
    }
    if (json === undefined || typeof json.type !== 'string') {
      throw new UpstreamHttpError('malformed_response', 'a stream event has no type');
    }
    if (json.type === 'error' || event.event === 'error') {
      throw upstreamStreamError(this.context, json);
    }
    if (TERMINAL.has(json.type)) {
      this.ended = true;
      const usage = responsesUsage(asJson(json.response)?.usage);
      if (usage !== undefined) this.onUsage(usage);
    }
    return json as ResponsesPassthroughEvent;
  }

  finish(): undefined {
    if (!this.ended) {
      throw new UpstreamHttpError('malformed_response', 'stream ended before the response did');
    }
    return undefined;
  }
}

/** A Responses `usage` block in the gateway's terms; undefined when it has no counts. */
export function responsesUsage(value: unknown): Usage | undefined {
  const usage = asJson(value);
  const input = usage?.input_tokens;
  const output = usage?.output_tokens;
  if (typeof input !== 'number' || typeof output !== 'number') return undefined;
  const total = usage?.total_tokens;
  const result: Usage = {
    prompt_tokens: input,
    completion_tokens: output,
    total_tokens: typeof total === 'number' ? total : input + output,
  };
  const cached = asJson(usage?.input_tokens_details)?.cached_tokens;
  if (typeof cached === 'number') result.prompt_tokens_details = { cached_tokens: cached };
  const reasoning = asJson(usage?.output_tokens_details)?.reasoning_tokens;
  if (typeof reasoning === 'number') {
    result.completion_tokens_details = { reasoning_tokens: reasoning };
  }
  return result;
}

export function asJson(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : undefined;
}
