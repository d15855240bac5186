import { Observable, type OperatorFunction } from 'rxjs';
import type {
  ChatCompletionChunk,
  ToolCallDelta,
  Usage,
} from '../../providers/llm-provider.types.js';
import { toMessagesUsage, toStopReason } from './messages-response.mapper.js';
import type { MessagesStopReason, MessagesStreamEvent } from './messages.types.js';

export interface MessagesStreamOptions {
  /** The message id (`msg_...`). */
  readonly id: string;
  /** The model the caller asked for. */
  readonly model: string;
  /** The prompt's estimated tokens, for `message_start` (the real count ends the stream). */
  readonly inputTokens: number;
}

/**
 * A chat chunk stream as the Messages API's events (wire-formats 3.3): `message_start` and a
 * `ping` first, one content block per run of text or per tool call (`text_delta`,
 * `input_json_delta`), `message_delta` with the stop reason and the usage (known only at the end
 * of a chat stream, so the delta carries the real input count too), `message_stop`. Errors pass
 * through untouched: the SSE writer frames them.
 */
export function toMessagesEvents(
  options: MessagesStreamOptions,
): OperatorFunction<ChatCompletionChunk, MessagesStreamEvent> {
  return (source) =>
    new Observable<MessagesStreamEvent>((subscriber) => {
      const state = new MessagesStreamState(options, (event) => subscriber.next(event));
      const subscription = source.subscribe({
        next: (chunk) => state.chunk(chunk),
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          state.end();
          subscriber.complete();
        },
      });
      return () => subscription.unsubscribe();
    });
}

class MessagesStreamState {
  private started = false;
  /** Index of the open block, or of the last one closed. */
  private index = -1;
  private open: 'text' | 'tool' | undefined;
  /** The chat tool-call index of the open tool block. */
  private toolIndex = -1;
  private stop: MessagesStopReason | undefined;
  private usage: Usage | undefined;

  constructor(
    private readonly options: MessagesStreamOptions,
    private readonly emit: (event: MessagesStreamEvent) => void,
  ) {}

  chunk(chunk: ChatCompletionChunk): void {
    this.start();
    if (chunk.usage) this.usage = chunk.usage;
    const choice = chunk.choices[0];
    if (choice === undefined) return;
    const text = choice.delta.content ?? choice.delta.refusal;
    if (typeof text === 'string' && text !== '') {
      if (this.open !== 'text') {
        this.openBlock('text');
        this.emit({
          type: 'content_block_start',
          index: this.index,
          content_block: { type: 'text', text: '' },
        });
      }
      this.emit({
        type: 'content_block_delta',
        index: this.index,
        delta: { type: 'text_delta', text },
      });
    }
    for (const call of choice.delta.tool_calls ?? []) this.toolCall(call);
    if (choice.finish_reason != null) this.stop = toStopReason(choice.finish_reason);
  }

  end(): void {
    this.start();
    this.closeBlock();
    const usage = toMessagesUsage(this.usage);
    this.emit({
      type: 'message_delta',
      delta: { stop_reason: this.stop ?? 'end_turn', stop_sequence: null },
      usage: this.usage === undefined ? { output_tokens: 0 } : usage,
    });
    this.emit({ type: 'message_stop' });
  }

  private toolCall(call: ToolCallDelta): void {
    if (this.open !== 'tool' || call.index !== this.toolIndex) {
      this.openBlock('tool');
      this.toolIndex = call.index;
      this.emit({
        type: 'content_block_start',
        index: this.index,
        content_block: {
          type: 'tool_use',
          id: call.id ?? `toolu_${this.options.id.slice(4)}_${this.index}`,
          name: call.function?.name ?? '',
          input: {},
        },
      });
    }
    const fragment = call.function?.arguments;
    if (fragment !== undefined && fragment !== '') {
      this.emit({
        type: 'content_block_delta',
        index: this.index,
        delta: { type: 'input_json_delta', partial_json: fragment },
      });
    }
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    const { id, model, inputTokens } = this.options;
    this.emit({
      type: 'message_start',
      message: {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: inputTokens,
          output_tokens: 0,
          cache_creation_input_tokens: null,
          cache_read_input_tokens: null,
        },
      },
    });
    this.emit({ type: 'ping' });
  }

  private openBlock(kind: 'text' | 'tool'): void {
    this.closeBlock();
    this.index += 1;
    this.open = kind;
  }

  private closeBlock(): void {
    if (this.open === undefined) return;
    this.emit({ type: 'content_block_stop', index: this.index });
    this.open = undefined;
  }
}
