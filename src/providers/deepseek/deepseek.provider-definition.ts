import { OpenAiCompatibleModule } from '../openai-compatible/openai-compatible.module.js';
import type { ProviderDefinition } from '../provider-definition.js';
import { DeepSeekAdapter } from './deepseek.adapter.js';

/** DeepSeek (contract section 5): `deepseek-*` models, prefix kept. */
export const DEEPSEEK_PROVIDER: ProviderDefinition = {
  id: 'deepseek',
  prefixes: ['deepseek'],
  stripPrefix: false,
  activationHint: 'DEEPSEEK_API_KEY',
  isActive: (config) => config.providers.deepseek.apiKey.trim() !== '',
  module: OpenAiCompatibleModule.forAdapter(DeepSeekAdapter),
  adapter: DeepSeekAdapter,
};
