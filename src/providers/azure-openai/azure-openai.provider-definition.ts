import { compatibleBinding } from '../openai-compatible/openai-compatible.binding.js';
import type { ProviderDefinition } from '../provider-definition.js';

/** Azure OpenAI (contract section 5): `azure/<deployment>`, prefix stripped. */
export const AZURE_OPENAI_PROVIDER: ProviderDefinition = {
  id: 'azure-openai',
  genAiProviderName: 'azure.ai.openai',
  prefixes: ['azure/'],
  stripPrefix: true,
  activationHint: 'AZURE_OPENAI_API_KEY and AZURE_OPENAI_BASE_URL',
  isActive: (config) =>
    config.providers.azureOpenai.apiKey.trim() !== '' &&
    config.providers.azureOpenai.baseUrl.trim() !== '',
  load: () =>
    compatibleBinding(() => import('./azure-openai.adapter.js').then((m) => m.AzureOpenAiAdapter)),
};
