import type { ProviderDefinition } from '../provider-definition.js';
import { AnthropicAdapter } from './anthropic.adapter.js';
import { AnthropicModule } from './anthropic.module.js';

/** Anthropic (contract section 5): `claude` models, the prefix kept as part of the model name. */
export const ANTHROPIC_PROVIDER: ProviderDefinition = {
  id: 'anthropic',
  prefixes: ['claude'],
  stripPrefix: false,
  activationHint: 'ANTHROPIC_API_KEY',
  isActive: (config) => config.providers.anthropic.apiKey.trim() !== '',
  module: AnthropicModule,
  adapter: AnthropicAdapter,
};
