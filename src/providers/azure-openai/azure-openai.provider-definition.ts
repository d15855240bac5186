import { OpenAiCompatibleModule } from '../openai-compatible/openai-compatible.module.js';
import type { ProviderDefinition } from '../provider-definition.js';
import { AzureOpenAiAdapter } from './azure-openai.adapter.js';

/** Azure OpenAI (contract section 5): `azure/<deployment>`, prefix stripped. */
export const AZURE_OPENAI_PROVIDER: ProviderDefinition = {
  id: 'azure-openai',
  prefixes: ['azure/'],
  stripPrefix: true,
  activationHint: 'AZURE_OPENAI_API_KEY and AZURE_OPENAI_BASE_URL',
  isActive: (config) =>
    config.providers.azureOpenai.apiKey.trim() !== '' &&
    config.providers.azureOpenai.baseUrl.trim() !== '',
  module: OpenAiCompatibleModule.forAdapter(AzureOpenAiAdapter),
  adapter: AzureOpenAiAdapter,
};
