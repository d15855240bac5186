import { type MonoTypeOperatorFunction, Observable } from 'rxjs';
import type { ChatAnswerPart } from '../../pipeline/answer-stage.js';
import type { AnswerRewriter } from '../pii.types.js';
import { rewriteCompletion } from './pii-completion.rewriter.js';
import { PiiStreamRewriter } from './pii-stream.rewriter.js';
import { assertHoldback } from './text-holdback.js';

/**
 * The answer side of the PII stage (contract 9.3) as an operator over a chat answer's parts: it
 * restores the tokens this call issued and redacts, logs or blocks the PII the model produced, in
 * a JSON answer ({@link rewriteCompletion}) and in a stream ({@link PiiStreamRewriter}) alike.
 *
 * A stream stays live: per choice it holds back at most `holdbackChars` characters of text (more
 * only while a finding in progress needs it, up to `HOLD_CEILING_FACTOR` times that), and a tool call's arguments
 * until that call is complete. Under BLOCK the answer errors with `pii_detected` (400,
 * `pii_violation`) before any offending text is emitted; in a stream the SSE writer turns that
 * into one error frame.
 *
 * An upstream error is passed on at once, and what is held is dropped: it has not been found
 * safe to send, and the caller gets an error frame rather than the end of an answer. On
 * completion, what is held is released first. Each subscription has its own state.
 *
 * @param rewriter what this call does to its answer: restore tokens, rewrite PII, report findings.
 * @param holdbackChars the stream holdback (`gateway.pii.stream-holdback-chars`), a non-negative integer.
 */
export function piiAnswerOperator(
  rewriter: AnswerRewriter,
  holdbackChars: number,
): MonoTypeOperatorFunction<ChatAnswerPart> {
  assertHoldback(holdbackChars);
  return (source) =>
    new Observable<ChatAnswerPart>((subscriber) => {
      let stream: PiiStreamRewriter | undefined;
      /** Runs one step; a throw (BLOCK) errors the output, and nothing of that step is emitted. */
      const emit = (step: () => ChatAnswerPart[]): boolean => {
        let parts: ChatAnswerPart[];
        try {
          parts = step();
        } catch (err) {
          subscriber.error(err);
          return false;
        }
        for (const part of parts) subscriber.next(part);
        return true;
      };
      return source.subscribe({
        next: (part) => {
          // A synchronous source keeps calling until the subscription is in place: once the
          // output is closed, nothing more is rewritten or reported.
          if (subscriber.closed) return;
          emit(() => {
            if (part.kind === 'completion') {
              return [{ kind: 'completion', value: rewriteCompletion(part.value, rewriter) }];
            }
            stream ??= new PiiStreamRewriter(rewriter, holdbackChars);
            return stream
              .next(part.value)
              .map((value): ChatAnswerPart => ({ kind: 'chunk', value }));
          });
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => {
          if (subscriber.closed) return;
          const done = emit(() =>
            (stream?.complete() ?? []).map((value): ChatAnswerPart => ({ kind: 'chunk', value })),
          );
          if (done) subscriber.complete();
        },
      });
    });
}
