import type { SseEvent } from '../http/sse-event.parser.js';
import type { UpstreamContext } from '../http/upstream-errors.js';
import { UpstreamHttpError } from '../http/upstream-http.error.js';
import type { ChatCompletionChunk, ChunkChoice, FinishReason } from '../llm-provider.types.js';
import { cohereGenerationError } from './cohere.errors.js';
import {
  asRecord,
  type Json,
  malformed,
  stringOr,
  toChunk,
  toFinishReason,
  toUsage,
} from './cohere-response.mapper.js';

/** Facts of the call that Cohere's events do not carry. */
export interface CohereStreamIdentity {
  readonly model: string;
  readonly created: number;
  /** Used until (and unless) `message-start` names the message. */
  readonly fallbackId: string;
}

/**
 * Turns the named SSE events of one Cohere v2 stream (wire-formats section 8) into the chunks the
 * gateway emits (contract 4.3): `message-start` gives the role chunk, text and tool-plan deltas
 * become content, `tool-call-start` an opener with id and name and `tool-call-delta` argument
 * fragments, `message-end` the finish chunk, and its usage one trailing `choices: []` chunk.
 * Cohere's event `index` counts content blocks and tool calls separately, so OpenAI's tool-call
 * index is assigned here, in order of appearance. One reader per stream; it does no I/O.
 */
export class CohereStreamReader {
  private id: string;
  private roleSent = false;
  private finish: FinishReason | undefined;
  private ended = false;
  private usageChunk: ChatCompletionChunk | undefined;
  /** Cohere's tool-call `index` to OpenAI's. */
  private readonly toolIndexes = new Map<number, number>();
  private lastToolIndex: number | undefined;
  /** Content blocks of type `thinking`: reasoning, not answer text. */
  private readonly thinkingBlocks = new Set<number>();

  constructor(
    private readonly context: UpstreamContext,
    private readonly identity: CohereStreamIdentity,
  ) {
    this.id = identity.fallbackId;
  }

  /** True once `message-end` (or `[DONE]`) arrived: later events are ignored. */
  get done(): boolean {
    return this.ended;
  }

  /** The chunks to emit for one event, often none or one. Throws for a failed generation. */
  read(event: SseEvent): ChatCompletionChunk[] {
    if (this.ended) return [];
    // Cohere's SDK stops at `[DONE]` should it come; Cohere itself ends after `message-end`.
    if (event.data === '[DONE]') {
      this.ended = true;
      return [];
    }
    let json: Json | undefined;
    try {
      json = asRecord(JSON.parse(event.data));
    } catch (error) {
      throw new UpstreamHttpError('malformed_response', 'a stream event is not valid JSON', {
        cause: error,
      });
    }
    if (json === undefined) throw malformed('a stream event is not a JSON object');
    const type = stringOr(json.type, event.event ?? '');
    const message = asRecord(asRecord(json.delta)?.message);
    const index = typeof json.index === 'number' ? json.index : undefined;
    switch (type) {
      case 'message-start':
        if (typeof json.id === 'string' && json.id !== '') this.id = json.id;
        return [this.chunk({ content: '' })];
      case 'content-start':
        return this.contentStart(index, asRecord(message?.content));
      case 'content-delta':
        return this.contentDelta(index, asRecord(message?.content));
      case 'tool-plan-delta':
        return this.text(stringOr(message?.tool_plan, ''));
      case 'tool-call-start':
        return this.toolCallStart(index, message?.tool_calls);
      case 'tool-call-delta':
        return this.toolCallDelta(index, message?.tool_calls);
      case 'message-end':
        return this.messageEnd(asRecord(json.delta));
      default:
        // content-end, tool-call-end, citation-*, debug and event types Cohere adds later.
        return [];
    }
  }

  /**
   * Called once the upstream body ended: the trailing usage chunk, if Cohere reported usage, or
   * an error when no `message-end` came (a cut stream is not a complete answer).
   */
  end(): ChatCompletionChunk | undefined {
    if (this.finish === undefined) {
      throw new UpstreamHttpError('malformed_response', 'stream ended without a finish reason');
    }
    return this.usageChunk;
  }

  private contentStart(
    index: number | undefined,
    content: Json | undefined,
  ): ChatCompletionChunk[] {
    if (content?.type === 'thinking') {
      if (index !== undefined) this.thinkingBlocks.add(index);
      return [];
    }
    return this.text(stringOr(content?.text, ''));
  }

  private contentDelta(
    index: number | undefined,
    content: Json | undefined,
  ): ChatCompletionChunk[] {
    if (content === undefined || 'thinking' in content) return [];
    if (index !== undefined && this.thinkingBlocks.has(index)) return [];
    return this.text(stringOr(content.text, ''));
  }

  private text(text: string): ChatCompletionChunk[] {
    return text === '' ? [] : [this.chunk({ content: text })];
  }

  private toolCallStart(index: number | undefined, value: unknown): ChatCompletionChunk[] {
    // An object, not OpenAI's array; tolerate a one-element array all the same.
    const call = asRecord(Array.isArray(value) ? value[0] : value);
    const fn = asRecord(call?.function);
    if (call === undefined || typeof fn?.name !== 'string') {
      throw malformed('a tool-call-start has no function name');
    }
    const openAiIndex = this.toolIndexes.size;
    this.toolIndexes.set(index ?? openAiIndex, openAiIndex);
    this.lastToolIndex = openAiIndex;
    const opener = this.chunk({
      tool_calls: [
        {
          index: openAiIndex,
          id: stringOr(call.id, ''),
          type: 'function',
          function: { name: fn.name, arguments: '' },
        },
      ],
    });
    const initial = stringOr(fn.arguments, '');
    return initial === '' ? [opener] : [opener, this.argumentsChunk(openAiIndex, initial)];
  }

  private toolCallDelta(index: number | undefined, value: unknown): ChatCompletionChunk[] {
    const call = asRecord(Array.isArray(value) ? value[0] : value);
    const fragment = stringOr(asRecord(call?.function)?.arguments, '');
    const openAiIndex =
      (index === undefined ? undefined : this.toolIndexes.get(index)) ?? this.lastToolIndex;
    if (openAiIndex === undefined) throw malformed('a tool-call-delta has no open tool call');
    return fragment === '' ? [] : [this.argumentsChunk(openAiIndex, fragment)];
  }

  private messageEnd(delta: Json | undefined): ChatCompletionChunk[] {
    const finish = toFinishReason(delta?.finish_reason, this.toolIndexes.size > 0);
    if (finish === 'failed') {
      throw cohereGenerationError(this.context, String(delta?.finish_reason), delta);
    }
    this.finish = finish;
    this.ended = true;
    const usage = toUsage(delta?.usage);
    if (usage !== undefined) {
      const { model, created } = this.identity;
      this.usageChunk = { ...toChunk(this.id, model, created, {}), choices: [], usage };
    }
    return [this.chunk({}, finish)];
  }

  private argumentsChunk(index: number, fragment: string): ChatCompletionChunk {
    return this.chunk({ tool_calls: [{ index, function: { arguments: fragment } }] });
  }

  /** A one-choice chunk; the first one of the stream carries the role. */
  private chunk(
    delta: ChunkChoice['delta'],
    finishReason: FinishReason | null = null,
  ): ChatCompletionChunk {
    const withRole: ChunkChoice['delta'] = this.roleSent ? delta : { role: 'assistant', ...delta };
    this.roleSent = true;
    return toChunk(this.id, this.identity.model, this.identity.created, withRole, finishReason);
  }
}
