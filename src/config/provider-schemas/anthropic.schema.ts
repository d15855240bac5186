import { z } from 'zod';
import { int, str, stringList, url } from '../schema-fields.js';

/** `gateway.providers.anthropic` (Messages API). */
export const anthropicSchema = z.strictObject({
  'api-key': str().default(''),
  'base-url': url().default('https://api.anthropic.com'),
  version: str().default('2023-06-01'),
  'default-max-tokens': int(1).default(1024),
  models: stringList().default(['claude-sonnet-4-5', 'claude-3-haiku', 'claude-3-opus']),
});
