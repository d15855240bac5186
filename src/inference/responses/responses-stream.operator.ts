import { Observable, type OperatorFunction } from 'rxjs';
import type {
  ChatCompletionChunk,
  FinishReason,
  ToolCallDelta,
  Usage,
} from '../../providers/llm-provider.types.js';
import {
  type ResponseFrame,
  responseObject,
  responsesId,
  toResponseUsage,
  toStatus,
} from './responses-response.mapper.js';
import type {
  ResponseFunctionCallItem,
  ResponseMessageItem,
  ResponseOutputItem,
  ResponsesStreamEvent,
} from './responses.types.js';

/** An event before its place in the stream is known. */
type Unnumbered = ResponsesStreamEvent extends infer E
  ? E extends ResponsesStreamEvent
    ? Omit<E, 'sequence_number'>
    : never
  : never;

/**
 * A chat chunk stream as the Responses API's events (contract 16): `response.created` and
 * `response.in_progress` first (usage null, as OpenAI sends them), one `message` item per run of
 * text with its `output_text` part (`response.output_text.delta`), one `function_call` item per
 * tool call (`response.function_call_arguments.delta`), each item closed with its `.done` events,
 * then `response.completed` (or `response.incomplete` when the model was cut short) carrying the
 * whole response and its usage. Every event has the next `sequence_number`. Errors pass through
 * untouched: the SSE framing turns one into `response.failed`.
 */
export function toResponsesEvents(
  frame: ResponseFrame,
): OperatorFunction<ChatCompletionChunk, ResponsesStreamEvent> {
  return (source) =>
    new Observable<ResponsesStreamEvent>((subscriber) => {
      let sequence = 0;
      const state = new ResponsesStreamState(frame, (event) =>
        subscriber.next({ ...event, sequence_number: sequence++ }),
      );
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

interface OpenText {
  readonly index: number;
  readonly item: ResponseMessageItem;
  readonly kind: 'output_text' | 'refusal';
  text: string;
}

interface OpenCall {
  readonly index: number;
  readonly item: ResponseFunctionCallItem;
}

class ResponsesStreamState {
  private started = false;
  private readonly output: ResponseOutputItem[] = [];
  private text: OpenText | undefined;
  /** Open function calls by their chat tool-call index; closed together at the end. */
  private readonly calls = new Map<number, OpenCall>();
  private finish: FinishReason | undefined;
  private usage: Usage | undefined;

  constructor(
    private readonly frame: ResponseFrame,
    private readonly emit: (event: Unnumbered) => void,
  ) {}

  chunk(chunk: ChatCompletionChunk): void {
    this.start();
    if (chunk.usage) this.usage = chunk.usage;
    const choice = chunk.choices[0];
    if (choice === undefined) return;
    const { content, refusal } = choice.delta;
    if (typeof content === 'string' && content !== '') this.textDelta('output_text', content);
    if (typeof refusal === 'string' && refusal !== '') this.textDelta('refusal', refusal);
    for (const call of choice.delta.tool_calls ?? []) this.toolCall(call);
    if (choice.finish_reason != null) this.finish = choice.finish_reason;
  }

  end(): void {
    this.start();
    this.closeText();
    for (const call of this.calls.values()) this.closeCall(call);
    this.calls.clear();
    const { status, incomplete_details } = toStatus(this.finish ?? 'stop');
    const response = responseObject(
      this.frame,
      status,
      this.output,
      toResponseUsage(this.usage),
      incomplete_details,
    );
    this.emit({
      type: status === 'completed' ? 'response.completed' : 'response.incomplete',
      response,
    });
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    const response = () => responseObject(this.frame, 'in_progress', [], null);
    this.emit({ type: 'response.created', response: response() });
    this.emit({ type: 'response.in_progress', response: response() });
  }

  private textDelta(kind: OpenText['kind'], delta: string): void {
    if (this.text?.kind !== kind) {
      this.closeText();
      this.text = this.openText(kind);
    }
    const { item, index } = this.text;
    this.text.text += delta;
    const at = { item_id: item.id, output_index: index, content_index: 0 };
    if (kind === 'output_text') {
      this.emit({ type: 'response.output_text.delta', ...at, delta, logprobs: [] });
    } else {
      this.emit({ type: 'response.refusal.delta', ...at, delta });
    }
  }

  private openText(kind: OpenText['kind']): OpenText {
    const item: ResponseMessageItem = {
      id: responsesId('msg'),
      type: 'message',
      status: 'in_progress',
      role: 'assistant',
      content: [],
    };
    const index = this.output.length;
    this.output.push(item);
    this.emit({ type: 'response.output_item.added', output_index: index, item: { ...item } });
    this.emit({
      type: 'response.content_part.added',
      item_id: item.id,
      output_index: index,
      content_index: 0,
      part:
        kind === 'output_text'
          ? { type: 'output_text', text: '', annotations: [], logprobs: [] }
          : { type: 'refusal', refusal: '' },
    });
    return { index, item, kind, text: '' };
  }

  private closeText(): void {
    const open = this.text;
    if (open === undefined) return;
    this.text = undefined;
    const { item, index, text, kind } = open;
    const at = { item_id: item.id, output_index: index, content_index: 0 };
    if (kind === 'output_text') {
      this.emit({ type: 'response.output_text.done', ...at, text, logprobs: [] });
    } else {
      this.emit({ type: 'response.refusal.done', ...at, refusal: text });
    }
    const part =
      kind === 'output_text'
        ? { type: 'output_text' as const, text, annotations: [] as [], logprobs: [] as [] }
        : { type: 'refusal' as const, refusal: text };
    this.emit({ type: 'response.content_part.done', ...at, part });
    item.content = [part];
    item.status = 'completed';
    this.emit({ type: 'response.output_item.done', output_index: index, item: { ...item } });
  }

  private toolCall(delta: ToolCallDelta): void {
    let open = this.calls.get(delta.index);
    if (open === undefined) {
      this.closeText();
      const item: ResponseFunctionCallItem = {
        id: responsesId('fc'),
        type: 'function_call',
        status: 'in_progress',
        call_id: delta.id ?? `call_${this.frame.id.slice(5, 29)}_${delta.index}`,
        name: delta.function?.name ?? '',
        arguments: '',
      };
      open = { index: this.output.length, item };
      this.output.push(item);
      this.calls.set(delta.index, open);
      this.emit({
        type: 'response.output_item.added',
        output_index: open.index,
        item: { ...item },
      });
    }
    const fragment = delta.function?.arguments;
    if (fragment !== undefined && fragment !== '') {
      open.item.arguments += fragment;
      this.emit({
        type: 'response.function_call_arguments.delta',
        item_id: open.item.id,
        output_index: open.index,
        delta: fragment,
      });
    }
  }

  private closeCall({ item, index }: OpenCall): void {
    this.emit({
      type: 'response.function_call_arguments.done',
      item_id: item.id,
      output_index: index,
      name: item.name,
      arguments: item.arguments,
    });
    item.status = 'completed';
    this.emit({ type: 'response.output_item.done', output_index: index, item: { ...item } });
  }
}
