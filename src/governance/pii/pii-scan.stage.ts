import { Injectable } from '@nestjs/common';
import type { GovernanceContext } from '../pipeline/governance-context.js';
import { GovernanceStage } from '../pipeline/governance-stage.js';
import { PiiSettingsResolver } from './pii-settings.resolver.js';
import { countFindings } from './pii-text.js';
import type { PiiFinding } from './pii.types.js';
import { RequestText } from './request-text.js';

/**
 * Stage 6 (contract 8, 9.1): one pass of the call's detector over every text of the request. The
 * findings stay in the context for the action (stage 8); their types and counts feed the policy
 * `pii` condition and the audit. Values never leave the context.
 */
@Injectable()
export class PiiScanStage extends GovernanceStage {
  readonly active: boolean;

  constructor(private readonly settings: PiiSettingsResolver) {
    super();
    this.active = settings.enabled;
  }

  admit(context: GovernanceContext): void {
    if (context.kind !== 'chat' && context.kind !== 'embeddings') return;
    const settings = this.settings.forTenant(context.tenant);
    context.piiAction = settings.action;
    const text = RequestText.of(context.kind, context.body);
    const findings: PiiFinding[][] = [];
    let counts: Record<string, number> | undefined;
    for (const slot of text.slots) {
      const found = settings.detector.scan(slot.text);
      findings.push(found);
      if (found.length > 0) counts = countFindings(found, counts ?? {});
    }
    if (counts !== undefined) context.piiRequest = counts;
    context.pii = { settings, text, findings };
  }
}
