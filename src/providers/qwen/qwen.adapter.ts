import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config/gateway-config.types.js';
import { UpstreamHttpClient } from '../http/upstream-http.client.js';
import { bearerProfile } from '../openai-compatible/bearer-profile.js';
import { capabilities } from '../openai-compatible/compatible-capabilities.js';
import { OpenAiCompatibleAdapter } from '../openai-compatible/openai-compatible.adapter.js';
import type { WireJson } from '../openai-compatible/openai-compatible.profile.js';

/**
 * DashScope streams tool-call continuations with `"id": ""` and repeat `type`; an empty id must
 * continue the call open at that index rather than start a new one, so it is removed here (the
 * shared mapper also ignores empty ids). `system_fingerprint: null` is dropped by the mapper.
 */
export function dropEmptyToolCallIds(chunk: WireJson): void {
  if (!Array.isArray(chunk.choices)) return;
  for (const choice of chunk.choices as WireJson[]) {
    const delta = choice?.delta as WireJson | undefined;
    if (!Array.isArray(delta?.tool_calls)) continue;
    for (const call of delta.tool_calls as WireJson[]) {
      if (call?.id === '') {
        delete call.id;
        delete call.type;
      }
    }
  }
}

/**
 * Qwen through DashScope's compatible mode (wire-formats section 11). Per the contract's matrix:
 * no vision, no tools, no json modes, 32k context; embeddings (`text-embedding-v3/v4`) offered.
 */
@Injectable()
export class QwenAdapter extends OpenAiCompatibleAdapter {
  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig, http: UpstreamHttpClient) {
    super(
      bearerProfile('qwen', config.providers.qwen, {
        capabilities: capabilities({
          vision: false,
          tools: false,
          jsonSchema: 'none',
          jsonObject: 'none',
          embeddings: true,
          maxContextTokens: 32_000,
        }),
        embeddingsPath: () => '/embeddings',
        streamUsage: true,
        adaptChunk: dropEmptyToolCallIds,
      }),
      http,
    );
  }
}
