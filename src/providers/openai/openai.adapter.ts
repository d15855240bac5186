import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config/gateway-config.types.js';
import { UpstreamHttpClient } from '../http/upstream-http.client.js';
import { ALL_FORWARDED } from '../field-map.js';
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
  // OpenAI's own API takes every optional field of contract 4.2 (per-model limits, such as
  // `reasoning_effort` on a non-reasoning model, are OpenAI's to refuse).
  fields: ALL_FORWARDED,
};

/**
 * Context windows that differ from the row, by model-name prefix (longest first; OpenAI's model
 * pages). The `-chat` variants of GPT-5.x keep ChatGPT's 128k.
 */
const CONTEXT_WINDOWS: readonly (readonly [RegExp, number])[] = [
  [/^gpt-5(\.\d+)?-chat/, 128_000],
  [/^gpt-5/, 400_000],
  [/^gpt-4\.1/, 1_047_576],
  [/^(o1|o3|o4)(?!-preview)/, 200_000],
  [/^gpt-3\.5/, 16_385],
];

/** Models without image input (the row says yes). */
const TEXT_ONLY = /^(gpt-3\.5|o3-mini|o1-mini|text-embedding)/;

/** OpenAI's matrix row for one model. */
export function openAiCapabilities(model: string): ProviderCapabilities {
  const window = CONTEXT_WINDOWS.find(([pattern]) => pattern.test(model))?.[1];
  return {
    ...CAPABILITIES,
    vision: !TEXT_ONLY.test(model),
    maxContextTokens: window ?? CAPABILITIES.maxContextTokens,
  };
}

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
    capabilities: openAiCapabilities,
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
