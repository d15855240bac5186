import { compatibleBinding } from '../openai-compatible/openai-compatible.binding.js';
import type { ProviderDefinition } from '../provider-definition.js';

/** Ollama (contract section 5 and the seed): `ollama/<model>`, prefix stripped. */
export const OLLAMA_PROVIDER: ProviderDefinition = {
  id: 'ollama',
  prefixes: ['ollama/'],
  stripPrefix: true,
  activationHint: 'OLLAMA_ENABLED=true (and OLLAMA_BASE_URL)',
  isActive: (config) => config.providers.ollama.enabled,
  load: () => compatibleBinding(() => import('./ollama.adapter.js').then((m) => m.OllamaAdapter)),
};
