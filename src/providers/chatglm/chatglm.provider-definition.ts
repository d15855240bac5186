import { compatibleBinding } from '../openai-compatible/openai-compatible.binding.js';
import type { ProviderDefinition } from '../provider-definition.js';

/** ChatGLM (contract section 5): `glm-*` models, prefix kept. */
export const CHATGLM_PROVIDER: ProviderDefinition = {
  id: 'chatglm',
  prefixes: ['glm'],
  stripPrefix: false,
  activationHint: 'ZHIPU_API_KEY',
  isActive: (config) => config.providers.chatglm.apiKey.trim() !== '',
  load: () => compatibleBinding(() => import('./chatglm.adapter.js').then((m) => m.ChatGlmAdapter)),
};
