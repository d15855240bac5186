import { z } from 'zod';
import { checkCustomPattern } from '../governance/pii/detection/pii-detector.js';
import { PII_TYPES } from '../governance/pii/pii.types.js';
import { PII_ACTIONS } from '../storage/tenant.types.js';
import { bool, int, stringList } from './schema-fields.js';

const upper = (v: unknown) => (typeof v === 'string' ? v.trim().toUpperCase() : v);

/**
 * `gateway.pii` (contract 9.2): the installation's PII defaults; a tenant's `settings.pii_*`
 * override them. Custom patterns are checked here, so one that does not compile or can backtrack
 * catastrophically stops start-up with its key named.
 */
export const piiSchema = z
  .strictObject({
    enabled: bool().default(true),
    'default-action': z.preprocess(upper, z.enum(PII_ACTIONS)).default('LOG'),
    // Empty: every detector.
    types: z
      .preprocess(
        (v) => (Array.isArray(v) ? v.map(upper) : v),
        stringList().pipe(z.array(z.enum(PII_TYPES))),
      )
      .default([]),
    // label -> regex; findings are reported as CUSTOM.
    'custom-patterns': z
      .record(z.string(), z.string())
      .default({})
      .superRefine((patterns, ctx) => {
        for (const [label, source] of Object.entries(patterns)) {
          const problem = checkCustomPattern(label, source);
          if (problem !== undefined)
            ctx.addIssue({ code: 'custom', path: [label], message: problem });
        }
      }),
    'scan-responses': bool().default(true),
    // The most text a live stream holds back to find PII (or a token) split across chunks.
    'stream-holdback-chars': int(8, 4096).default(64),
  })
  .prefault({});
