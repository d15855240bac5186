import type { PiiCallSettings } from './pii-settings.resolver.js';
import type { TokenVault } from './pii-tokens.js';
import type { PiiFinding } from './pii.types.js';
import type { RequestText } from './request-text.js';

/**
 * One call's PII state, kept in its governance context: what the scan found where (stage 6), for
 * the action (stage 8) to act on without scanning again, and the tokens it issued, for the answer
 * (stage 10) to restore.
 */
export interface PiiCall {
  readonly settings: PiiCallSettings;
  readonly text: RequestText;
  /** Findings per slot of `text`, in the same order. */
  readonly findings: readonly (readonly PiiFinding[])[];
  /** Set by TOKENIZE when it issued at least one token. */
  vault?: TokenVault;
}
