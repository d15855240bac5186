import { ErrorCode } from '../../../common/errors/error-code.js';
import { GatewayError } from '../../../common/errors/gateway-error.js';
import type { AnswerRewriter, PiiType } from '../pii.types.js';

/**
 * Settles the findings about to reach the caller: each is reported once to the rewriter; under
 * BLOCK any finding refuses the answer instead (400 `pii_detected`, the distinct types in the
 * order first seen), and nothing that carried them is emitted.
 */
export function settleFindings(rewriter: AnswerRewriter, findings: readonly PiiType[]): void {
  if (findings.length === 0) return;
  for (const type of findings) rewriter.found(type);
  if (rewriter.blocks) {
    const types = [...new Set(findings)].join(', ');
    throw new GatewayError(ErrorCode.PiiDetected, `Response blocked: PII detected (${types})`);
  }
}
