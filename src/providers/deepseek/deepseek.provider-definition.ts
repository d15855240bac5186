import { compatibleBinding } from '../openai-compatible/openai-compatible.binding.js';
import type { ProviderDefinition } from '../provider-definition.js';

/** DeepSeek (contract section 5): `deepseek-*` models, prefix kept. */
export const DEEPSEEK_PROVIDER: ProviderDefinition = {
  id: 'deepseek',
  genAiProviderName: 'deepseek',
  prefixes: ['deepseek'],
  stripPrefix: false,
  activationHint: 'DEEPSEEK_API_KEY',
  isActive: (config) => config.providers.deepseek.apiKey.trim() !== '',
  load: () =>
    compatibleBinding(() => import('./deepseek.adapter.js').then((m) => m.DeepSeekAdapter)),
};
