import type { MonoTypeOperatorFunction } from 'rxjs';
import type { ChatCompletion, ChatCompletionChunk } from '../../providers/llm-provider.types.js';
import type { GovernanceContext } from './governance-context.js';

/** One piece of a chat answer: the whole completion (JSON), or one chunk of a stream. */
export type ChatAnswerPart =
  | { readonly kind: 'completion'; readonly value: ChatCompletion }
  | { readonly kind: 'chunk'; readonly value: ChatCompletionChunk };

/**
 * An answer-side stage (contract 8 stage 10: PII restore/redact/block, metering): an RxJS
 * operator over the answer's parts, so a JSON answer and a stream get the same treatment.
 * `undefined`: nothing to do for this call, and the answer flows untouched.
 */
export abstract class AnswerStage {
  abstract operator(
    context: GovernanceContext,
  ): MonoTypeOperatorFunction<ChatAnswerPart> | undefined;
}

/** DI token of the answer stages, in the order they apply. */
export const ANSWER_STAGES = Symbol('ANSWER_STAGES');
