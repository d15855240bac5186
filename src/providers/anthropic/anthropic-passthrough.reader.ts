import type { SseChunkReader } from '../http/cold-upstream-stream.js';
import type { SseEvent } from '../http/sse-event.parser.js';
import { type UpstreamContext, upstreamStreamError } from '../http/upstream-errors.js';
import { UpstreamHttpError } from '../http/upstream-http.error.js';
import type { Usage } from '../llm-provider.types.js';
import type { PassthroughEvent } from '../messages-passthrough.js';
import { withNativeError } from './anthropic-passthrough.errors.js';
import { asRecord, toUsage } from './anthropic-response.mapper.js';

/**
 * Relays the events of one Anthropic stream as they are (wire-formats 3.3), reading only what
 * metering needs: the usage of `message_start`, overwritten field by field by the cumulative
 * counts of `message_delta`, reported at `message_stop`. An `error` event fails the stream; a body
 * that ends before `message_stop` is a malformed answer, not a silent success.
 */
export class AnthropicPassthroughReader implements SseChunkReader<PassthroughEvent> {
  private usage: Record<string, unknown> = {};
  private ended = false;

  constructor(
    private readonly context: UpstreamContext,
    private readonly onUsage: (usage: Usage) => void,
    private readonly secret = '',
  ) {}

  get done(): boolean {
    return this.ended;
  }

  read(event: SseEvent): PassthroughEvent | undefined {
    if (this.ended) return undefined;
    let json: Record<string, unknown> | undefined;
    try {
      json = asRecord(JSON.parse(event.data));
    } catch (error) {
      throw new UpstreamHttpError('malformed_response', 'a stream event is not valid JSON', {
        cause: error,
      });
    }
    if (json === undefined || typeof json.type !== 'string') {
      throw new UpstreamHttpError('malformed_response', 'a stream event has no type');
    }
    if (event.event === 'error' || json.type === 'error') {
      throw withNativeError(upstreamStreamError(this.context, json), json, undefined, this.secret);
    }
    if (json.type === 'message_start') this.merge(asRecord(json.message)?.usage);
    else if (json.type === 'message_delta') this.merge(json.usage);
    else if (json.type === 'message_stop') {
      this.ended = true;
      const usage = toUsage(this.usage);
      if (usage !== undefined) this.onUsage(usage);
    }
    return json as PassthroughEvent;
  }

  finish(): undefined {
    if (!this.ended) {
      throw new UpstreamHttpError('malformed_response', 'stream ended before message_stop');
    }
    return undefined;
  }

  private merge(usage: unknown): void {
    const fields = asRecord(usage);
    if (fields === undefined) return;
    for (const [name, value] of Object.entries(fields)) {
      if (typeof value === 'number') this.usage[name] = value;
    }
  }
}
