import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config/gateway-config.types.js';
import { UpstreamHttpClient } from '../http/upstream-http.client.js';
import { bearerProfile } from '../openai-compatible/bearer-profile.js';
import { capabilities } from '../openai-compatible/compatible-capabilities.js';
import { forwarded, NO_FIELDS } from '../field-map.js';
import type { FieldMap } from '../llm-provider.types.js';
import { OpenAiCompatibleAdapter } from '../openai-compatible/openai-compatible.adapter.js';

/**
 * DeepSeek's parameter map: `deepseek-chat` returns OpenAI's `logprobs`; the reasoner refuses
 * them (DeepSeek's API reference), so they are refused here before the call.
 */
export function deepSeekFields(model: string): FieldMap {
  return model.includes('reasoner')
    ? NO_FIELDS
    : { logprobs: forwarded(), top_logprobs: forwarded() };
}

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
        fields: deepSeekFields,
      }),
      http,
    );
  }
}
