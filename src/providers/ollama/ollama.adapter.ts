import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config/gateway-config.types.js';
import { UpstreamHttpClient } from '../http/upstream-http.client.js';
import { capabilities, withOverrides } from '../openai-compatible/compatible-capabilities.js';
import { forwarded } from '../field-map.js';
import { OpenAiCompatibleAdapter } from '../openai-compatible/openai-compatible.adapter.js';
import type { OpenAiCompatibleProfile } from '../openai-compatible/openai-compatible.profile.js';

type OllamaSettings = GatewayConfig['providers']['ollama'];

/**
 * The contract's row for Ollama (as the seed says: no structured outputs, so `response_format`
 * json_object or json_schema is refused with 400 `unsupported_response_format`).
 */
const CAPABILITIES = capabilities({
  vision: false,
  tools: false,
  jsonSchema: 'none',
  jsonObject: 'none',
  embeddings: true,
  maxContextTokens: 32_000,
  // Ollama's `/v1` documents `reasoning_effort` for thinking models (wire-formats 6.2); `n`,
  // `logit_bias` and the rest are listed as unsupported.
  fields: { reasoning_effort: forwarded(['low', 'medium', 'high']) },
});

/**
 * A local Ollama server through its OpenAI-compatible `/v1` endpoint (wire-formats section 6.2):
 * no credential, usage only when asked for (so it is always asked for), embeddings as floats.
 */
export function ollamaProfile(settings: OllamaSettings): OpenAiCompatibleProfile {
  const row = withOverrides(CAPABILITIES, settings.capabilities);
  return {
    id: 'ollama',
    baseUrl: `${settings.baseUrl.replace(/\/+$/, '')}/v1`,
    headers: {},
    secrets: [],
    embeddingsPath: () => '/embeddings',
    capabilities: () => ({ ...row }),
    listModels: () =>
      settings.models.map((name) => ({
        id: name.startsWith('ollama/') ? name : `ollama/${name}`,
        ownedBy: 'ollama',
      })),
    streamUsage: true,
    embeddingsBase64: false,
  };
}

@Injectable()
export class OllamaAdapter extends OpenAiCompatibleAdapter {
  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig, http: UpstreamHttpClient) {
    super(ollamaProfile(config.providers.ollama), http);
  }
}
