import { Injectable } from '@nestjs/common';
import type { MonoTypeOperatorFunction } from 'rxjs';
import type { AnswerStage, ChatAnswerPart } from '../pipeline/answer-stage.js';
import type { GovernanceContext } from '../pipeline/governance-context.js';
import { piiAnswerOperator } from './answer/pii-answer.operator.js';
import { piiAnswerTap } from './answer/pii-answer.tap.js';
import { PiiAnswerRewriter } from './pii-answer.rewriter.js';

/**
 * Stage 10's PII part (contract 9.3): the answer, JSON or stream, flows through the PII operator
 * when this call issued tokens to restore or `scan-responses` is on; otherwise it is untouched.
 * Under LOG (nothing to restore, nothing to change) it is only watched, never held back.
 */
@Injectable()
export class PiiAnswerStage implements AnswerStage {
  operator(context: GovernanceContext): MonoTypeOperatorFunction<ChatAnswerPart> | undefined {
    const pii = context.pii;
    if (pii === undefined) return undefined;
    const { scanResponses, action, holdbackChars } = pii.settings;
    if (pii.vault === undefined && !scanResponses) return undefined;
    const rewriter = new PiiAnswerRewriter(pii, context);
    // LOG changes nothing: the answer flows untouched (no holdback) while the same scan counts.
    if (pii.vault === undefined && action === 'LOG') return piiAnswerTap(rewriter, holdbackChars);
    return piiAnswerOperator(rewriter, holdbackChars);
  }
}
