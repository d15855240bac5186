import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config/gateway-config.types.js';
import { UpstreamHttpClient } from '../http/upstream-http.client.js';
import { bearerProfile } from '../openai-compatible/bearer-profile.js';
import { capabilities } from '../openai-compatible/compatible-capabilities.js';
import { OpenAiCompatibleAdapter } from '../openai-compatible/openai-compatible.adapter.js';

/**
 * Groq (wire-formats section 9): OpenAI's format with usage on the finish chunk (read there by the
 * shared reader) and an `x_groq` extra that is not passed on. No embeddings, no vision, no tools and
 * no json_schema per the contract's matrix.
 */
@Injectable()
export class GroqAdapter extends OpenAiCompatibleAdapter {
  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig, http: UpstreamHttpClient) {
    super(
      bearerProfile('groq', config.providers.groq, {
        capabilities: capabilities({
          vision: false,
          tools: false,
          jsonSchema: 'none',
          jsonObject: 'native',
          embeddings: false,
          maxContextTokens: 131_072,
        }),
        streamUsage: true,
      }),
      http,
    );
  }
}
