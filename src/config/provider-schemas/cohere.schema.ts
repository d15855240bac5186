import { z } from 'zod';
import { str, stringList, url } from '../schema-fields.js';

/** `gateway.providers.cohere` (v2 chat and embed). */
export const cohereSchema = z.strictObject({
  'api-key': str().default(''),
  'base-url': url().default('https://api.cohere.com'),
  // Cohere's v3+ embedding models require an input type; OpenAI's API has no such field, so
  // every /v1/embeddings call to Cohere uses this one (documents, the usual indexing case).
  'embed-input-type': z
    .enum(['search_document', 'search_query', 'classification', 'clustering'])
    .default('search_document'),
  models: stringList().default([
    'command-a-03-2025',
    'command-r-plus-08-2024',
    'command-r-08-2024',
    'command-r7b-12-2024',
    'embed-v4.0',
    'embed-english-v3.0',
    'embed-multilingual-v3.0',
  ]),
});
