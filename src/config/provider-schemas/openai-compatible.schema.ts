import { z } from 'zod';
import { bool, int, str, stringList, url } from '../schema-fields.js';

/**
 * Overrides of a vendor's row in the contract's capability matrix, for models that can do more
 * (or less) than the vendor's default: any key left out keeps the matrix value.
 */
export const capabilityOverridesSchema = z
  .strictObject({
    streaming: bool().optional(),
    vision: bool().optional(),
    tools: bool().optional(),
    'json-object': bool().optional(),
    'json-schema': bool().optional(),
    'max-context-tokens': int(1).optional(),
  })
  .default({});

/**
 * `gateway.providers.<id>` for a vendor that speaks OpenAI's wire format with a Bearer key:
 * activated by a non-empty `api-key`; `base-url` re-points it (a proxy, a fake upstream);
 * `models` is what GET /v1/models lists.
 */
export function bearerCompatibleSchema(defaults: { baseUrl: string; models: readonly string[] }) {
  return z.strictObject({
    'api-key': str().default(''),
    'base-url': url().default(defaults.baseUrl),
    models: stringList().default([...defaults.models]),
    capabilities: capabilityOverridesSchema,
  });
}
