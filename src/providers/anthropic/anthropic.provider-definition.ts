import type { ProviderDefinition } from '../provider-definition.js';

/** Anthropic (contract section 5): `claude` models, the prefix kept as part of the model name. */
export const ANTHROPIC_PROVIDER: ProviderDefinition = {
  id: 'anthropic',
  genAiProviderName: 'anthropic',
  prefixes: ['claude'],
  stripPrefix: false,
  activationHint: 'ANTHROPIC_API_KEY',
  isActive: (config) => config.providers.anthropic.apiKey.trim() !== '',
  load: async () => {
    const { AnthropicModule } = await import('./anthropic.module.js');
    const { AnthropicAdapter } = await import('./anthropic.adapter.js');
    return { module: AnthropicModule, adapter: AnthropicAdapter };
  },
};
