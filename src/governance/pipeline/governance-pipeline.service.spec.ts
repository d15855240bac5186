import type { CallCosting } from '../metering/usage/call-costing.service.js';
import type { PiiCall } from '../pii/pii-call.js';
import { TokenVault } from '../pii/pii-tokens.js';
import type { PolicyEnforcer } from '../policy/policy.enforcer.js';
import { GovernanceContext } from './governance-context.js';
import { GovernancePipeline } from './governance-pipeline.service.js';

function call(action: string, scanResponses: boolean, extra: Partial<PiiCall> = {}): PiiCall {
  return { settings: { action, scanResponses }, text: {}, findings: [], ...extra } as PiiCall;
}

describe(GovernancePipeline.name, () => {
  const pipeline = new GovernancePipeline({} as PolicyEnforcer, [], {} as CallCosting);
  const context = (pii?: PiiCall, found?: Record<string, number>) => {
    const c = new GovernanceContext('t', 'POST', '/v1/messages', 0);
    c.pii = pii;
    if (found !== undefined) c.piiRequest = found;
    return c;
  };

  describe('nativeFormatAllowed', () => {
    it('allows a call no PII stage touched or must read', () => {
      expect(pipeline.nativeFormatAllowed(context())).toBe(true);
      expect(pipeline.nativeFormatAllowed(context(call('REDACT', false)))).toBe(true);
      expect(pipeline.nativeFormatAllowed(context(call('LOG', false), { EMAIL: 1 }))).toBe(true);
    });

    it('refuses a rewritten request, tokens to restore, or an answer to scan', () => {
      expect(pipeline.nativeFormatAllowed(context(call('REDACT', false), { EMAIL: 1 }))).toBe(
        false,
      );
      expect(pipeline.nativeFormatAllowed(context(call('LOG', true)))).toBe(false);
      const vault = new TokenVault();
      expect(
        pipeline.nativeFormatAllowed(context(call('TOKENIZE', false, { vault }), { EMAIL: 1 })),
      ).toBe(false);
    });
  });
});
