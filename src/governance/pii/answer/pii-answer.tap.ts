import { type MonoTypeOperatorFunction, Observable } from 'rxjs';
import type { ChatAnswerPart } from '../../pipeline/answer-stage.js';
import type { AnswerRewriter } from '../pii.types.js';
import { rewriteCompletion } from './pii-completion.rewriter.js';
import { PiiStreamRewriter } from './pii-stream.rewriter.js';
import { assertHoldback } from './text-holdback.js';

/**
 * The answer side of the PII stage when it changes nothing (LOG without tokens to restore): the
 * answer's parts pass through as they come, at once and in their own chunks, while the same
 * scan as {@link piiAnswerOperator}'s runs beside them, so the model's PII is reported exactly as
 * the rewriting operator would report it, split across chunks included. Nothing is held back: a
 * LOG stream is as live as one without PII scanning. A rewriter that blocks is refused: BLOCK
 * must hold text back to refuse it before it is sent.
 */
export function piiAnswerTap(
  rewriter: AnswerRewriter,
  holdbackChars: number,
): MonoTypeOperatorFunction<ChatAnswerPart> {
  assertHoldback(holdbackChars);
  if (rewriter.blocks) throw new Error('a blocking rewriter needs piiAnswerOperator');
  return (source) =>
    new Observable<ChatAnswerPart>((subscriber) => {
      let stream: PiiStreamRewriter | undefined;
      return source.subscribe({
        next: (part) => {
          if (subscriber.closed) return;
          try {
            if (part.kind === 'completion') rewriteCompletion(part.value, rewriter);
            else (stream ??= new PiiStreamRewriter(rewriter, holdbackChars)).next(part.value);
          } catch (err) {
            subscriber.error(err);
            return;
          }
          subscriber.next(part);
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => {
          if (subscriber.closed) return;
          try {
            stream?.complete();
          } catch (err) {
            subscriber.error(err);
            return;
          }
          subscriber.complete();
        },
      });
    });
}
