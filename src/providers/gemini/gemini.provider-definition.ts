import type { ProviderDefinition } from '../provider-definition.js';
import { GEMINI_PROVIDER_ID } from './gemini.errors.js';

/** Google Gemini (contract section 5): `gemini…` model names, sent to Google unchanged. */
export const GEMINI_PROVIDER: ProviderDefinition = {
  id: GEMINI_PROVIDER_ID,
  genAiProviderName: 'gcp.gemini',
  prefixes: ['gemini'],
  stripPrefix: false,
  activationHint: 'GEMINI_API_KEY',
  isActive: (config) => config.providers.gemini.apiKey.trim() !== '',
  load: async () => {
    const { GeminiModule } = await import('./gemini.module.js');
    const { GeminiAdapter } = await import('./gemini.adapter.js');
    return { module: GeminiModule, adapter: GeminiAdapter };
  },
};
