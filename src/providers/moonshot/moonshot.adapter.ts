import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config/gateway-config.types.js';
import { UpstreamHttpClient } from '../http/upstream-http.client.js';
import { bearerProfile } from '../openai-compatible/bearer-profile.js';
import { capabilities } from '../openai-compatible/compatible-capabilities.js';
import { OpenAiCompatibleAdapter } from '../openai-compatible/openai-compatible.adapter.js';
import type { WireJson } from '../openai-compatible/openai-compatible.profile.js';

/**
 * Moonshot's finish chunk carries usage inside the choice (`choices[0].usage`) rather than at the
 * top level or in a `choices: []` chunk; it is moved to where OpenAI puts it.
 */
export function liftChoiceUsage(chunk: WireJson): void {
  if (chunk.usage != null || !Array.isArray(chunk.choices)) return;
  for (const choice of chunk.choices as WireJson[]) {
    if (choice?.usage != null && typeof choice.usage === 'object') {
      chunk.usage = choice.usage;
      delete choice.usage;
      return;
    }
  }
}

/** Moonshot / Kimi (wire-formats section 12): text only, tools and json_object, 200k context. */
@Injectable()
export class MoonshotAdapter extends OpenAiCompatibleAdapter {
  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig, http: UpstreamHttpClient) {
    super(
      bearerProfile('moonshot', config.providers.moonshot, {
        capabilities: capabilities({
          vision: false,
          tools: true,
          jsonSchema: 'none',
          jsonObject: 'native',
          embeddings: false,
          maxContextTokens: 200_000,
        }),
        // Usage always arrives on the finish chunk; the field is not needed.
        streamUsage: false,
        adaptChunk: liftChoiceUsage,
      }),
      http,
    );
  }
}
