import { OpenAiCompatibleModule } from '../openai-compatible/openai-compatible.module.js';
import type { ProviderDefinition } from '../provider-definition.js';
import { MoonshotAdapter } from './moonshot.adapter.js';

/** Moonshot (contract section 5): `moonshot-*` and `kimi-*` models, prefix kept. */
export const MOONSHOT_PROVIDER: ProviderDefinition = {
  id: 'moonshot',
  prefixes: ['moonshot', 'kimi'],
  stripPrefix: false,
  activationHint: 'MOONSHOT_API_KEY',
  isActive: (config) => config.providers.moonshot.apiKey.trim() !== '',
  module: OpenAiCompatibleModule.forAdapter(MoonshotAdapter),
  adapter: MoonshotAdapter,
};
