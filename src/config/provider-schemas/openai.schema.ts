import { z } from 'zod';
import { str, stringList, url } from '../schema-fields.js';

/** `gateway.providers.openai`. */
export const openAiSchema = z.strictObject({
  'api-key': str().default(''),
  'base-url': url().default('https://api.openai.com/v1'),
  organization: str().default(''),
  project: str().default(''),
  models: stringList().default([
    'gpt-4o',
    'gpt-4o-mini',
    'gpt-4-turbo',
    'gpt-3.5-turbo',
    'text-embedding-ada-002',
    'text-embedding-3-small',
    'text-embedding-3-large',
  ]),
});
