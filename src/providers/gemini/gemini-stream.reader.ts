import type { SseEvent } from '../http/sse-event.parser.js';
import { upstreamStreamError } from '../http/upstream-errors.js';
import { UpstreamHttpError } from '../http/upstream-http.error.js';
import type { ChatCompletionChunk, ChunkChoice, FinishReason } from '../llm-provider.types.js';
import { promptBlockedError } from './gemini.errors.js';
import {
  type AnswerMeta,
  completionId,
  malformed,
  readAnswer,
  toFinishReason,
  toToolCall,
} from './gemini-response.mapper.js';

/**
 * Turns the SSE events of one `streamGenerateContent?alt=sse` call into the chunks the gateway
 * emits (contract 4.3, wire-formats 4.4). Gemini sends whole responses holding only the new text,
 * whole function calls, cumulative usage on every event and no `[DONE]`: the body's end is the
 * stream's end. So the reader emits the role on the first chunk, each function call as an opener
 * and one arguments fragment, the finish reason on its own chunk, and, at the end, the last usage
 * seen as a trailing `choices: []` chunk. One reader per stream; it does no I/O.
 */
export class GeminiStreamReader {
  private id: string | undefined;
  private model: string | undefined;
  private roleSent = false;
  private toolCalls = 0;
  private finish: FinishReason | undefined;
  private usage: ChatCompletionChunk['usage'];

  constructor(private readonly meta: AnswerMeta) {}

  /** The chunks one event yields (often one). Throws a mapped error for an upstream error event. */
  read(event: SseEvent): ChatCompletionChunk[] {
    let json: unknown;
    try {
      json = JSON.parse(event.data);
    } catch (error) {
      throw new UpstreamHttpError('malformed_response', 'a stream event is not valid JSON', {
        cause: error,
      });
    }
    if (hasError(json)) throw upstreamStreamError(this.meta.context, json);
    const answer = readAnswer(json);
    this.id ??= completionId(answer.responseId, this.meta);
    this.model ??= answer.modelVersion ?? this.meta.model;
    if (answer.usage !== undefined) this.usage = answer.usage;
    if (!answer.hasCandidate) {
      if (answer.blockReason !== undefined) {
        throw promptBlockedError(this.meta.context, answer.blockReason);
      }
      // A usage-only event.
      return [];
    }

    const chunks: ChatCompletionChunk[] = [];
    if (answer.text !== '') chunks.push(this.chunk({ content: answer.text }));
    for (const call of answer.functionCalls) {
      const index = this.toolCalls++;
      const { id, function: fn } = toToolCall(call, this.meta.newKey());
      chunks.push(
        this.chunk({
          tool_calls: [{ index, id, type: 'function', function: { name: fn.name, arguments: '' } }],
        }),
      );
      chunks.push(this.chunk({ tool_calls: [{ index, function: { arguments: fn.arguments } }] }));
    }
    if (answer.finishReason !== undefined && this.finish === undefined) {
      this.finish = toFinishReason(answer.finishReason, this.toolCalls > 0, this.meta.context);
      chunks.push(this.chunk({}, this.finish));
    }
    return chunks;
  }

  /**
   * Called at the end of the body: the trailing usage chunk, if Gemini reported usage, or an error
   * when no finish reason came (a cut stream is not a complete answer).
   */
  end(): ChatCompletionChunk | undefined {
    if (this.finish === undefined) throw malformed('stream ended without a finish reason');
    if (this.usage === undefined) return undefined;
    return { ...this.envelope(), choices: [], usage: this.usage };
  }

  private chunk(
    delta: ChunkChoice['delta'],
    finishReason: FinishReason | null = null,
  ): ChatCompletionChunk {
    const choice: ChunkChoice = { index: 0, delta, finish_reason: finishReason, logprobs: null };
    if (!this.roleSent) {
      this.roleSent = true;
      choice.delta = { role: 'assistant', ...delta };
    }
    return { ...this.envelope(), choices: [choice] };
  }

  private envelope(): Omit<ChatCompletionChunk, 'choices'> {
    return {
      id: this.id ?? completionId(undefined, this.meta),
      object: 'chat.completion.chunk',
      created: this.meta.created,
      model: this.model ?? this.meta.model,
    };
  }
}

function hasError(json: unknown): boolean {
  return (
    typeof json === 'object' &&
    json !== null &&
    !Array.isArray(json) &&
    'error' in json &&
    json.error !== null &&
    json.error !== undefined
  );
}
