import { OpenAiCompatibleModule } from '../openai-compatible/openai-compatible.module.js';
import type { ProviderDefinition } from '../provider-definition.js';
import { GroqAdapter } from './groq.adapter.js';

/** Groq (contract section 5): `groq/<model>`, prefix stripped. */
export const GROQ_PROVIDER: ProviderDefinition = {
  id: 'groq',
  prefixes: ['groq/'],
  stripPrefix: true,
  activationHint: 'GROQ_API_KEY',
  isActive: (config) => config.providers.groq.apiKey.trim() !== '',
  module: OpenAiCompatibleModule.forAdapter(GroqAdapter),
  adapter: GroqAdapter,
};
