import { OpenAiCompatibleModule } from '../openai-compatible/openai-compatible.module.js';
import type { ProviderDefinition } from '../provider-definition.js';
import { ChatGlmAdapter } from './chatglm.adapter.js';

/** ChatGLM (contract section 5): `glm-*` models, prefix kept. */
export const CHATGLM_PROVIDER: ProviderDefinition = {
  id: 'chatglm',
  prefixes: ['glm'],
  stripPrefix: false,
  activationHint: 'ZHIPU_API_KEY',
  isActive: (config) => config.providers.chatglm.apiKey.trim() !== '',
  module: OpenAiCompatibleModule.forAdapter(ChatGlmAdapter),
  adapter: ChatGlmAdapter,
};
