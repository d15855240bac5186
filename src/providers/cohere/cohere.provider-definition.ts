import type { ProviderDefinition } from '../provider-definition.js';

/**
 * Cohere (contract section 5): `command*` chat models and `embed-*` embedding models, prefixes
 * kept since they are Cohere's own model names.
 */
export const COHERE_PROVIDER: ProviderDefinition = {
  id: 'cohere',
  genAiProviderName: 'cohere',
  prefixes: ['command', 'embed-'],
  stripPrefix: false,
  activationHint: 'COHERE_API_KEY',
  isActive: (config) => config.providers.cohere.apiKey.trim() !== '',
  load: async () => {
    const { CohereModule } = await import('./cohere.module.js');
    const { CohereAdapter } = await import('./cohere.adapter.js');
    return { module: CohereModule, adapter: CohereAdapter };
  },
};
