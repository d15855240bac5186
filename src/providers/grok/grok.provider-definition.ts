import { OpenAiCompatibleModule } from '../openai-compatible/openai-compatible.module.js';
import type { ProviderDefinition } from '../provider-definition.js';
import { GrokAdapter } from './grok.adapter.js';

/** xAI Grok (contract section 5): `grok-*` models, prefix kept. */
export const GROK_PROVIDER: ProviderDefinition = {
  id: 'grok',
  prefixes: ['grok'],
  stripPrefix: false,
  activationHint: 'XAI_API_KEY',
  isActive: (config) => config.providers.grok.apiKey.trim() !== '',
  module: OpenAiCompatibleModule.forAdapter(GrokAdapter),
  adapter: GrokAdapter,
};
