import type { ProviderDefinition } from '../provider-definition.js';
import { OpenAiAdapter } from './openai.adapter.js';
import { OpenAiModule } from './openai.module.js';

/** OpenAI (contract section 5): prefixes kept, since OpenAI's model names are the prefixes. */
export const OPENAI_PROVIDER: ProviderDefinition = {
  id: 'openai',
  prefixes: ['gpt', 'o1', 'o3', 'o4', 'chatgpt', 'text-embedding'],
  stripPrefix: false,
  activationHint: 'OPENAI_API_KEY',
  isActive: (config) => config.providers.openai.apiKey.trim() !== '',
  module: OpenAiModule,
  adapter: OpenAiAdapter,
};
