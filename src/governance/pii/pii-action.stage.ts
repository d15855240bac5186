import { Injectable } from '@nestjs/common';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import type { GovernanceContext } from '../pipeline/governance-context.js';
import { GovernanceStage } from '../pipeline/governance-stage.js';
import { PiiSettingsResolver } from './pii-settings.resolver.js';
import { TokenVault } from './pii-tokens.js';
import { redactionOf, replaceFindings } from './pii-text.js';
import { PII_TYPES } from './pii.types.js';

/**
 * Stage 8 (contract 9.2), after the policies had their say: BLOCK refuses the call (the provider is
 * never called), REDACT replaces each finding with `[REDACTED_<TYPE>]`, TOKENIZE with a token the
 * answer restores (REDACT for embeddings, which cannot be restored). LOG leaves the call as it is.
 */
@Injectable()
export class PiiActionStage extends GovernanceStage {
  readonly active: boolean;

  constructor(settings: PiiSettingsResolver) {
    super();
    this.active = settings.enabled;
  }

  admit(context: GovernanceContext): void {
    const pii = context.pii;
    const found = context.piiRequest;
    if (pii === undefined || found === undefined) return;
    const action = pii.settings.action;
    if (action === 'LOG') return;
    if (action === 'BLOCK') {
      const types = PII_TYPES.filter((type) => type in found);
      throw new GatewayError(
        ErrorCode.PiiDetected,
        `Request blocked: PII detected (${types.join(', ')})`,
      );
    }
    const tokenize = action === 'TOKENIZE' && context.kind === 'chat';
    const vault = tokenize ? new TokenVault() : undefined;
    pii.text.slots.forEach((slot, i) => {
      const findings = pii.findings[i];
      if (findings.length === 0) return;
      slot.replace(
        replaceFindings(slot.text, findings, (finding, value) =>
          vault === undefined ? redactionOf(finding.type) : vault.tokenFor(finding.type, value),
        ),
      );
    });
    pii.text.commit();
    if (vault !== undefined && vault.size > 0) pii.vault = vault;
  }
}
