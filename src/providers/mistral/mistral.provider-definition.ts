import { compatibleBinding } from '../openai-compatible/openai-compatible.binding.js';
import type { ProviderDefinition } from '../provider-definition.js';

/**
 * Mistral (contract section 5): `mistral-*` models, prefix kept; Mistral's other families
 * (`codestral`, `ministral`, `open-mistral`, `open-mixtral`) are its models too.
 */
export const MISTRAL_PROVIDER: ProviderDefinition = {
  id: 'mistral',
  genAiProviderName: 'mistral_ai',
  prefixes: ['mistral', 'codestral', 'ministral', 'open-mistral', 'open-mixtral'],
  stripPrefix: false,
  activationHint: 'MISTRAL_API_KEY',
  isActive: (config) => config.providers.mistral.apiKey.trim() !== '',
  load: () => compatibleBinding(() => import('./mistral.adapter.js').then((m) => m.MistralAdapter)),
};
