import type { ProviderDefinition } from '../provider-definition.js';
import { GeminiAdapter } from './gemini.adapter.js';
import { GEMINI_PROVIDER_ID } from './gemini.errors.js';
import { GeminiModule } from './gemini.module.js';

/** Google Gemini (contract section 5): `gemini…` model names, sent to Google unchanged. */
export const GEMINI_PROVIDER: ProviderDefinition = {
  id: GEMINI_PROVIDER_ID,
  prefixes: ['gemini'],
  stripPrefix: false,
  activationHint: 'GEMINI_API_KEY',
  isActive: (config) => config.providers.gemini.apiKey.trim() !== '',
  module: GeminiModule,
  adapter: GeminiAdapter,
};
