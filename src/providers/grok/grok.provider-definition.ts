import { compatibleBinding } from '../openai-compatible/openai-compatible.binding.js';
import type { ProviderDefinition } from '../provider-definition.js';

/** xAI Grok (contract section 5): `grok-*` models, prefix kept. */
export const GROK_PROVIDER: ProviderDefinition = {
  id: 'grok',
  genAiProviderName: 'x_ai',
  prefixes: ['grok'],
  stripPrefix: false,
  activationHint: 'XAI_API_KEY',
  isActive: (config) => config.providers.grok.apiKey.trim() !== '',
  load: () => compatibleBinding(() => import('./grok.adapter.js').then((m) => m.GrokAdapter)),
};
