import { z } from 'zod';
import { str, stringList, url } from '../schema-fields.js';

/** `gateway.providers.openai`. */
export const openAiSchema = z.strictObject({
  'api-key': str().default(''),
  'base-url': url().default('https://api.openai.com/v1'),
  organization: str().default(''),
  project: str().default(''),
  models: stringList().default([
    // Current models (December 2026, the openai SDK 6.x model list).
    'gpt-5.4',
    'gpt-5.2',
    'gpt-5.1',
    'gpt-5',
    'gpt-5-mini',
    'gpt-5-nano',
    'gpt-4.1',
    'gpt-4.1-mini',
    'o3',
    'o4-mini',
    'gpt-4o',
    'gpt-4o-mini',
    'text-embedding-3-small',
    'text-embedding-3-large',
  ]),
});
