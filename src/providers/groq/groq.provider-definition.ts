import { compatibleBinding } from '../openai-compatible/openai-compatible.binding.js';
import type { ProviderDefinition } from '../provider-definition.js';

/** Groq (contract section 5): `groq/<model>`, prefix stripped. */
export const GROQ_PROVIDER: ProviderDefinition = {
  id: 'groq',
  genAiProviderName: 'groq',
  prefixes: ['groq/'],
  stripPrefix: true,
  activationHint: 'GROQ_API_KEY',
  isActive: (config) => config.providers.groq.apiKey.trim() !== '',
  load: () => compatibleBinding(() => import('./groq.adapter.js').then((m) => m.GroqAdapter)),
};
