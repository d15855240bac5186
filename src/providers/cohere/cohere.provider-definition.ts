import type { ProviderDefinition } from '../provider-definition.js';
import { CohereAdapter } from './cohere.adapter.js';
import { CohereModule } from './cohere.module.js';

/**
 * Cohere (contract section 5): `command*` chat models and `embed-*` embedding models, prefixes
 * kept since they are Cohere's own model names.
 */
export const COHERE_PROVIDER: ProviderDefinition = {
  id: 'cohere',
  prefixes: ['command', 'embed-'],
  stripPrefix: false,
  activationHint: 'COHERE_API_KEY',
  isActive: (config) => config.providers.cohere.apiKey.trim() !== '',
  module: CohereModule,
  adapter: CohereAdapter,
};
