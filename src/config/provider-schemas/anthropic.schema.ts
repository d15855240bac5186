import { z } from 'zod';
import { int, str, stringList, url } from '../schema-fields.js';

/** `gateway.providers.anthropic` (Messages API). */
export const anthropicSchema = z.strictObject({
  'api-key': str().default(''),
  'base-url': url().default('https://api.anthropic.com'),
  version: str().default('2023-06-01'),
  'default-max-tokens': int(1).default(1024),
  // Current models (December 2026); the Claude 3 family is retired.
  models: stringList().default([
    'claude-opus-5',
    'claude-sonnet-5',
    'claude-opus-4-6',
    'claude-sonnet-4-6',
    'claude-sonnet-4-5',
    'claude-haiku-4-5',
  ]),
});
