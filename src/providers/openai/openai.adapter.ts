import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config/gateway-config.types.js';
import { UpstreamHttpClient } from '../http/upstream-http.client.js';
import type { ProviderCapabilities } from '../llm-provider.types.js';
import { OpenAiCompatibleAdapter } from '../openai-compatible/openai-compatible.adapter.js';
import {
  bearerHeaders,
  type OpenAiCompatibleProfile,
} from '../openai-compatible/openai-compatible.profile.js';

const CAPABILITIES: ProviderCapabilities = {
  streaming: true,
  vision: true,
  tools: true,
  jsonSchema: 'native',
  jsonObject: 'native',
  embeddings: true,
  maxContextTokens: 128_000,
};

/** OpenAI itself (wire-formats section 1), or any host its `base-url` is re-pointed at. */
export function openAiProfile(
  settings: GatewayConfig['providers']['openai'],
): OpenAiCompatibleProfile {
  const headers = bearerHeaders(settings.apiKey);
  if (settings.organization !== '') headers['openai-organization'] = settings.organization;
  if (settings.project !== '') headers['openai-project'] = settings.project;
  return {
    id: 'openai',
    baseUrl: settings.baseUrl,
    headers,
    secrets: [settings.apiKey],
    embeddingsPath: () => '/embeddings',
    responsesPath: '/responses',
    capabilities: () => ({ ...CAPABILITIES }),
    listModels: () => settings.models.map((id) => ({ id, ownedBy: 'openai' })),
    streamUsage: true,
    embeddingsBase64: true,
  };
}

/** OpenAI's Chat Completions, Embeddings and Responses APIs with the installation's key. */
@Injectable()
export class OpenAiAdapter extends OpenAiCompatibleAdapter {
  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig, http: UpstreamHttpClient) {
    super(openAiProfile(config.providers.openai), http);
  }
}
