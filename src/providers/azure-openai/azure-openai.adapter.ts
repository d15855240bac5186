import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config/gateway-config.types.js';
import { UpstreamHttpClient } from '../http/upstream-http.client.js';
import { OpenAiCompatibleAdapter } from '../openai-compatible/openai-compatible.adapter.js';
import type { OpenAiCompatibleProfile } from '../openai-compatible/openai-compatible.profile.js';
import { capabilities } from '../openai-compatible/compatible-capabilities.js';
import { ALL_FORWARDED } from '../field-map.js';

type AzureSettings = GatewayConfig['providers']['azureOpenai'];

const CAPABILITIES = capabilities({
  vision: true,
  tools: true,
  jsonSchema: 'native',
  jsonObject: 'native',
  embeddings: true,
  maxContextTokens: 128_000,
  // Azure serves OpenAI's API on its deployments: every optional field of contract 4.2 passes.
  fields: ALL_FORWARDED,
});

/**
 * How the base URL addresses deployments (wire-formats section 2):
 * - `.../openai` (the resource): the deployment named by the model goes in the path;
 * - `.../openai/deployments/<name>` (the seeds' style): that one deployment, whatever the model;
 * - `.../openai/v1` (the v1 API): the deployment travels as `model` in the body.
 */
function deploymentPaths(baseUrl: string): {
  chat: (model: string) => string;
  embeddings: (model: string) => string;
  responses?: string;
} {
  const path = new URL(baseUrl).pathname.replace(/\/+$/, '');
  if (/\/deployments\/[^/]+$/.test(path)) {
    // The Responses API is not under a deployment: that base URL has no path to it.
    return { chat: () => '/chat/completions', embeddings: () => '/embeddings' };
  }
  if (/\/v1$/.test(path)) {
    return {
      chat: () => '/chat/completions',
      embeddings: () => '/embeddings',
      responses: '/responses',
    };
  }
  const deployment = (model: string) => `/deployments/${encodeURIComponent(model)}`;
  return {
    chat: (model) => `${deployment(model)}/chat/completions`,
    embeddings: (model) => `${deployment(model)}/embeddings`,
    // The resource's Responses API takes the deployment as `model`, with the api-version query.
    responses: '/responses',
  };
}

/**
 * Azure OpenAI: OpenAI's wire format on a resource's deployments, an `api-version` query and the
 * `api-key` header. Its filter-only first stream chunk (`choices: []`, no usage) is dropped by the
 * shared reader like any choice-less chunk; its `content_filter` finish reason is OpenAI's own.
 */
export function azureOpenAiProfile(settings: AzureSettings): OpenAiCompatibleProfile {
  const paths = deploymentPaths(settings.baseUrl);
  return {
    id: 'azure-openai',
    baseUrl: settings.baseUrl,
    headers: { 'api-key': settings.apiKey },
    query: { 'api-version': settings.apiVersion },
    secrets: [settings.apiKey],
    chatPath: paths.chat,
    embeddingsPath: paths.embeddings,
    ...(paths.responses === undefined ? {} : { responsesPath: paths.responses }),
    capabilities: () => ({ ...CAPABILITIES }),
    listModels: () =>
      settings.deployments.map((name) => ({
        id: name.startsWith('azure/') ? name : `azure/${name}`,
        ownedBy: 'azure-openai',
      })),
    streamUsage: true,
    embeddingsBase64: true,
  };
}

@Injectable()
export class AzureOpenAiAdapter extends OpenAiCompatibleAdapter {
  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig, http: UpstreamHttpClient) {
    super(azureOpenAiProfile(config.providers.azureOpenai), http);
  }
}
