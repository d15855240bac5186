import type { GovernanceContext } from './governance-context.js';

/**
 * A request-side governance stage (contract 8): it admits the call, or refuses it by throwing a
 * GatewayError. A stage with nothing configured says so with `active: false`, and its guard then
 * costs the call nothing more than reading that flag.
 */
export abstract class GovernanceStage {
  abstract readonly active: boolean;
  /**
   * @param body only for stage 3, which runs before validation: the body as parsed, not yet
   *   validated (later stages read what validation took from it in the context)
   */
  abstract admit(context: GovernanceContext, body?: unknown): void | Promise<void>;
}

/** The seam of a stage that no feature fills yet: never active. */
export class IdleStage extends GovernanceStage {
  readonly active = false;

  admit(): void {
    // Nothing configured: every call is admitted.
  }
}

/** Stage 3: rate limits (the request permit, then the token reservation). */
export const RATE_LIMIT_STAGE = Symbol('RATE_LIMIT_STAGE');
/** Stage 5: budgets (hard caps, the estimated cost reserved). */
export const BUDGET_STAGE = Symbol('BUDGET_STAGE');
/** Stage 6: PII detection over the whole request; its findings feed the policy stage. */
export const PII_SCAN_STAGE = Symbol('PII_SCAN_STAGE');
/** Stage 8: the PII action (BLOCK, REDACT, TOKENIZE). */
export const PII_ACTION_STAGE = Symbol('PII_ACTION_STAGE');
