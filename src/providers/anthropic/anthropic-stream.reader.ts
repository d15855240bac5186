import type { SseEvent } from '../http/sse-event.parser.js';
import { type UpstreamContext, upstreamStreamError } from '../http/upstream-errors.js';
import { UpstreamHttpError } from '../http/upstream-http.error.js';
import type { ChatCompletionChunk, ChunkChoice, FinishReason } from '../llm-provider.types.js';
import { STRUCTURED_OUTPUT_TOOL } from './anthropic-request.mapper.js';
import {
  asRecord,
  malformed,
  requireString,
  toFinishReason,
  toUsage,
} from './anthropic-response.mapper.js';

export interface AnthropicStreamOptions {
  /** The request carried the `structured_output` tool: its input streams as content. */
  readonly structuredOutput: boolean;
  /** Unix seconds for every chunk: Anthropic's events carry no timestamp. */
  readonly created: number;
}

/** What one content block (by Anthropic's block `index`) streams into. */
type BlockTarget =
  | { readonly kind: 'text' }
  | { readonly kind: 'tool'; readonly toolIndex: number }
  | { readonly kind: 'structured' }
  | { readonly kind: 'ignored' };

type Json = Record<string, unknown>;

/**
 * Turns the SSE events of one Anthropic stream (wire-formats 3.3) into the chunks the gateway
 * emits (contract 4.3): `message_start` gives the role chunk, text deltas become content, each
 * `tool_use` block becomes a tool call numbered by its position among tool calls (Anthropic's
 * block `index` also counts text and thinking blocks), `message_delta` gives the finish chunk,
 * and usage (input from `message_start`, cumulative output from `message_delta`) is emitted
 * once as a trailing `choices: []` chunk. `ping` and unknown events are skipped; an `error` event
 * fails the stream. One reader per stream; it does no I/O.
 */
export class AnthropicStreamReader {
  private id: string | undefined;
  private model = '';
  private usage: Json | undefined;
  private readonly blocks = new Map<number, BlockTarget>();
  private toolCalls = 0;
  private finishSeen = false;
  private ended = false;

  constructor(
    private readonly context: UpstreamContext,
    private readonly options: AnthropicStreamOptions,
  ) {}

  /** True once `message_stop` arrived: later events are ignored. */
  get done(): boolean {
    return this.ended;
  }

  /** The chunk to emit for one event, if any. Throws a mapped error for an `error` event. */
  read(event: SseEvent): ChatCompletionChunk | undefined {
    if (this.ended) return undefined;
    let json: Json | undefined;
    try {
      json = asRecord(JSON.parse(event.data));
    } catch (error) {
      throw new UpstreamHttpError('malformed_response', 'a stream event is not valid JSON', {
        cause: error,
      });
    }
    if (json === undefined) throw malformed('a stream event is not a JSON object');
    if (event.event === 'error' || json.type === 'error') {
      throw upstreamStreamError(this.context, json);
    }
    switch (json.type) {
      case 'message_start':
        return this.start(json);
      case 'content_block_start':
        return this.blockStart(json);
      case 'content_block_delta':
        return this.blockDelta(json);
      case 'message_delta':
        return this.messageDelta(json);
      case 'message_stop':
        this.ended = true;
        return undefined;
      default:
        // ping, content_block_stop, and event types added after this was written.
        return undefined;
    }
  }

  /**
   * Called once the upstream is done (after `message_stop` or at the end of the body): returns the
   * trailing usage chunk, if the upstream reported usage, or throws when no stop reason came.
   */
  finish(): ChatCompletionChunk | undefined {
    if (!this.finishSeen) {
      throw new UpstreamHttpError('malformed_response', 'stream ended without a stop reason');
    }
    const usage = toUsage(this.usage);
    if (usage === undefined) return undefined;
    return { ...this.header(), choices: [], usage };
  }

  private start(json: Json): ChatCompletionChunk | undefined {
    if (this.id !== undefined) return undefined;
    const message = asRecord(json.message);
    if (message === undefined) throw malformed('message_start has no message');
    this.id = requireString(message, 'id');
    this.model = requireString(message, 'model');
    this.usage = numbers(message.usage);
    return this.chunk({ role: 'assistant', content: '' });
  }

  private blockStart(json: Json): ChatCompletionChunk | undefined {
    this.requireStarted();
    const index = blockIndex(json);
    const block = asRecord(json.content_block);
    if (block?.type === 'text' && !this.options.structuredOutput) {
      this.blocks.set(index, { kind: 'text' });
      return typeof block.text === 'string' && block.text !== ''
        ? this.chunk({ content: block.text })
        : undefined;
    }
    if (block?.type !== 'tool_use') {
      this.blocks.set(index, { kind: 'ignored' });
      return undefined;
    }
    const id = requireString(block, 'id');
    const name = requireString(block, 'name');
    if (this.options.structuredOutput && name === STRUCTURED_OUTPUT_TOOL) {
      this.blocks.set(index, { kind: 'structured' });
      return undefined;
    }
    const toolIndex = this.toolCalls++;
    this.blocks.set(index, { kind: 'tool', toolIndex });
    return this.chunk({
      tool_calls: [{ index: toolIndex, id, type: 'function', function: { name, arguments: '' } }],
    });
  }

  private blockDelta(json: Json): ChatCompletionChunk | undefined {
    this.requireStarted();
    const target = this.blocks.get(blockIndex(json));
    const delta = asRecord(json.delta);
    if (target === undefined) throw malformed('a content_block_delta names no started block');
    if (delta?.type === 'text_delta' && target.kind === 'text') {
      return typeof delta.text === 'string' && delta.text !== ''
        ? this.chunk({ content: delta.text })
        : undefined;
    }
    if (delta?.type !== 'input_json_delta') return undefined;
    const fragment = delta.partial_json;
    if (typeof fragment !== 'string') throw malformed('an input_json_delta has no partial_json');
    if (fragment === '') return undefined;
    if (target.kind === 'structured') return this.chunk({ content: fragment });
    if (target.kind !== 'tool') return undefined;
    return this.chunk({
      tool_calls: [{ index: target.toolIndex, function: { arguments: fragment } }],
    });
  }

  private messageDelta(json: Json): ChatCompletionChunk | undefined {
    this.requireStarted();
    // Counts here are cumulative totals for the message: they replace what message_start said.
    const counts = numbers(json.usage);
    if (counts !== undefined) this.usage = { ...this.usage, ...counts };
    const finish = toFinishReason(asRecord(json.delta)?.stop_reason, this.toolCalls > 0);
    if (finish === null || this.finishSeen) return undefined;
    this.finishSeen = true;
    return this.chunk({}, finish);
  }

  private requireStarted(): void {
    if (this.id === undefined) throw malformed('a content event came before message_start');
  }

  private header(): Omit<ChatCompletionChunk, 'choices'> {
    return {
      id: this.id ?? '',
      object: 'chat.completion.chunk',
      created: this.options.created,
      model: this.model,
    };
  }

  private chunk(
    delta: ChunkChoice['delta'],
    finish: FinishReason | null = null,
  ): ChatCompletionChunk {
    return {
      ...this.header(),
      choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    };
  }
}

function blockIndex(json: Json): number {
  const { index } = json;
  if (typeof index !== 'number') throw malformed(`${String(json.type)} has no index`);
  return index;
}

/** The numeric fields of a usage object (Anthropic sends nulls for counts it does not report). */
function numbers(value: unknown): Json | undefined {
  const raw = asRecord(value);
  if (raw === undefined) return undefined;
  const out: Json = {};
  for (const [key, v] of Object.entries(raw)) if (typeof v === 'number') out[key] = v;
  return out;
}
