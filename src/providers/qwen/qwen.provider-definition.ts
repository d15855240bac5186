import { OpenAiCompatibleModule } from '../openai-compatible/openai-compatible.module.js';
import type { ProviderDefinition } from '../provider-definition.js';
import { QwenAdapter } from './qwen.adapter.js';

/** Qwen (contract section 5): `qwen*` models, prefix kept. */
export const QWEN_PROVIDER: ProviderDefinition = {
  id: 'qwen',
  prefixes: ['qwen'],
  stripPrefix: false,
  activationHint: 'QWEN_API_KEY',
  isActive: (config) => config.providers.qwen.apiKey.trim() !== '',
  module: OpenAiCompatibleModule.forAdapter(QwenAdapter),
  adapter: QwenAdapter,
};
