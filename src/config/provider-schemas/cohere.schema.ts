import { z } from 'zod';
import { str, stringList, url } from '../schema-fields.js';

/** `gateway.providers.cohere` (v2 chat and embed). */
export const cohereSchema = z
  .strictObject({
    'api-key': str().default(''),
    'base-url': url().default('https://api.cohere.com'),
    models: stringList().default(['command-r-plus', 'command-r', 'command-a-03-2025']),
  })
  .prefault({});
