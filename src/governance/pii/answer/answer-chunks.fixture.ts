/*
 * Chat answers for the answer operator's tests (not used by the gateway): chunk builders, and a
 * synchronous run of the operator that keeps what was emitted before an error.
 */
import { from, type Observable } from 'rxjs';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChunkChoice,
  ToolCallDelta,
} from '../../../providers/llm-provider.types.js';
import type { ChatAnswerPart } from '../../pipeline/answer-stage.js';
import type { AnswerRewriter } from '../pii.types.js';
import { piiAnswerOperator } from './pii-answer.operator.js';

export const SHELL = {
  id: 'chatcmpl-42',
  object: 'chat.completion.chunk',
  created: 1_700_000_000,
  model: 'gpt-4o-mini',
  system_fingerprint: 'fp_42',
} as const;

export function chunk(choices: ChunkChoice[], extra: Partial<ChatCompletionChunk> = {}) {
  return { ...SHELL, choices, ...extra } satisfies ChatCompletionChunk;
}

export function content(index: number, text: string): ChatCompletionChunk {
  return chunk([{ index, delta: { content: text }, finish_reason: null }]);
}

export function role(index = 0): ChatCompletionChunk {
  return chunk([{ index, delta: { role: 'assistant', content: '' }, finish_reason: null }]);
}

export function finish(index = 0, reason: ChunkChoice['finish_reason'] = 'stop') {
  return chunk([{ index, delta: {}, finish_reason: reason }]);
}

export function tools(index: number, calls: ToolCallDelta[]): ChatCompletionChunk {
  return chunk([{ index, delta: { tool_calls: calls }, finish_reason: null }]);
}

export function usageChunk(): ChatCompletionChunk {
  return chunk([], { usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 } });
}

export function completion(message: Partial<ChatCompletion['choices'][number]['message']>) {
  return {
    id: 'chatcmpl-7',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'gpt-4o-mini',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: null, refusal: null, ...message },
        finish_reason: 'stop',
        logprobs: null,
      },
    ],
  } satisfies ChatCompletion;
}

export interface Outcome {
  readonly parts: ChatAnswerPart[];
  readonly chunks: ChatCompletionChunk[];
  readonly error?: unknown;
  readonly completed: boolean;
}

/** Subscribes and records, for sources that emit synchronously. */
export function record(source$: Observable<ChatAnswerPart>): Outcome {
  const parts: ChatAnswerPart[] = [];
  let error: unknown;
  let completed = false;
  source$.subscribe({
    next: (part) => parts.push(part),
    error: (err: unknown) => (error = err),
    complete: () => (completed = true),
  });
  const chunks = parts.flatMap((part) => (part.kind === 'chunk' ? [part.value] : []));
  return { parts, chunks, error, completed };
}

/** The operator over a list of chunks. */
export function runChunks(
  chunks: readonly ChatCompletionChunk[],
  rewriter: AnswerRewriter,
  holdbackChars: number,
): Outcome {
  const parts = chunks.map((value): ChatAnswerPart => ({ kind: 'chunk', value }));
  return record(from(parts).pipe(piiAnswerOperator(rewriter, holdbackChars)));
}

/** A choice's `content` as the caller concatenates it. */
export function contentOf(chunks: readonly ChatCompletionChunk[], index = 0): string {
  return chunks
    .flatMap((c) => c.choices)
    .filter((c) => c.index === index)
    .map((c) => c.delta.content ?? '')
    .join('');
}
