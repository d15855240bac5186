import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config/gateway-config.types.js';
import { UpstreamHttpClient } from '../http/upstream-http.client.js';
import { bearerProfile } from '../openai-compatible/bearer-profile.js';
import { capabilities } from '../openai-compatible/compatible-capabilities.js';
import { OpenAiCompatibleAdapter } from '../openai-compatible/openai-compatible.adapter.js';

/**
 * DeepSeek (wire-formats section 10): `: keep-alive` comments in streams and blank lines before a
 * queued JSON answer (both ignored by the shared SSE parser and JSON reader), usage on the finish
 * chunk, `reasoning_content` not passed on. Text only; json_object but no json_schema.
 */
@Injectable()
export class DeepSeekAdapter extends OpenAiCompatibleAdapter {
  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig, http: UpstreamHttpClient) {
    super(
      bearerProfile('deepseek', config.providers.deepseek, {
        capabilities: capabilities({
          vision: false,
          tools: true,
          jsonSchema: 'none',
          jsonObject: 'native',
          embeddings: false,
          maxContextTokens: 64_000,
        }),
        streamUsage: true,
      }),
      http,
    );
  }
}
