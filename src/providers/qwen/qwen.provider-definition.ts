import { compatibleBinding } from '../openai-compatible/openai-compatible.binding.js';
import type { ProviderDefinition } from '../provider-definition.js';

/** Qwen (contract section 5): `qwen*` models, prefix kept. */
export const QWEN_PROVIDER: ProviderDefinition = {
  id: 'qwen',
  prefixes: ['qwen'],
  stripPrefix: false,
  activationHint: 'QWEN_API_KEY',
  isActive: (config) => config.providers.qwen.apiKey.trim() !== '',
  load: () => compatibleBinding(() => import('./qwen.adapter.js').then((m) => m.QwenAdapter)),
};
