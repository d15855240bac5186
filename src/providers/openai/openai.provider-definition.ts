import type { ProviderDefinition } from '../provider-definition.js';
import { compatibleBinding } from '../openai-compatible/openai-compatible.binding.js';

const OPENAI_BASE_URL = 'https://api.openai.com/v1';

/**
 * OpenAI (contract section 5): prefixes kept, since OpenAI's model names are the prefixes. Its
 * `base-url` re-pointed at another OpenAI-compatible host (seed `additional-providers.md`), it
 * also serves the model names no provider prefix claims, such as
 * `accounts/fireworks/models/llama-v3-70b` or Docker Model Runner's `ai/llama3.2`.
 */
export const OPENAI_PROVIDER: ProviderDefinition = {
  id: 'openai',
  genAiProviderName: 'openai',
  prefixes: ['gpt', 'o1', 'o3', 'o4', 'chatgpt', 'text-embedding'],
  stripPrefix: false,
  activationHint: 'OPENAI_API_KEY',
  isActive: (config) => config.providers.openai.apiKey.trim() !== '',
  servesUnclaimedModels: (config) =>
    config.providers.openai.baseUrl.replace(/\/+$/, '') !== OPENAI_BASE_URL,
  load: () => compatibleBinding(() => import('./openai.adapter.js').then((m) => m.OpenAiAdapter)),
};
