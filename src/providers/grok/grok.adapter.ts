import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config/gateway-config.types.js';
import { UpstreamHttpClient } from '../http/upstream-http.client.js';
import { bearerProfile } from '../openai-compatible/bearer-profile.js';
import { capabilities } from '../openai-compatible/compatible-capabilities.js';
import { forwarded, NO_FIELDS } from '../field-map.js';
import type { FieldMap, ProviderCapabilities } from '../llm-provider.types.js';
import { OpenAiCompatibleAdapter } from '../openai-compatible/openai-compatible.adapter.js';
import type { WireJson } from '../openai-compatible/openai-compatible.profile.js';

/**
 * xAI counts reasoning tokens outside `completion_tokens` (`total = prompt + completion +
 * reasoning`); OpenAI counts them inside. Folded in, so cost and the caller's arithmetic agree.
 */
export function foldReasoningTokens(holder: WireJson): void {
  const usage = holder.usage as WireJson | null | undefined;
  if (usage == null || typeof usage !== 'object') return;
  const details = usage.completion_tokens_details as WireJson | undefined;
  const reasoning = details?.reasoning_tokens;
  const { prompt_tokens: prompt, completion_tokens: completion, total_tokens: total } = usage;
  if (
    typeof reasoning === 'number' &&
    typeof prompt === 'number' &&
    typeof completion === 'number' &&
    total === prompt + completion + reasoning
  ) {
    usage.completion_tokens = completion + reasoning;
  }
}

/**
 * xAI's parameter map: only its mini reasoning models take `reasoning_effort`, and only `low` or
 * `high` (wire-formats 14); grok-4 reasons on its own and refuses the field.
 */
export function grokFields(model: string): FieldMap {
  return /^grok-3-mini/.test(model) ? { reasoning_effort: forwarded(['low', 'high']) } : NO_FIELDS;
}

/**
 * Where xAI's models differ from the row (xAI's model pages): Grok 4 reads images and 256k tokens,
 * its fast variants 2M; Grok 3 and the code model read text only.
 */
export function grokModel(model: string): Partial<ProviderCapabilities> {
  if (/^grok-4(-1)?-fast/.test(model)) return { vision: true, maxContextTokens: 2_000_000 };
  if (/^grok-4/.test(model)) return { vision: true, maxContextTokens: 256_000 };
  if (/^grok-code/.test(model)) return { vision: false, maxContextTokens: 256_000 };
  if (/^grok-3/.test(model)) return { vision: false, maxContextTokens: 131_072 };
  return {};
}

/** xAI Grok (wire-formats section 14): vision, tools, both json modes, 131,072 tokens. */
@Injectable()
export class GrokAdapter extends OpenAiCompatibleAdapter {
  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig, http: UpstreamHttpClient) {
    super(
      bearerProfile('grok', config.providers.grok, {
        capabilities: capabilities({
          vision: true,
          tools: true,
          jsonSchema: 'native',
          jsonObject: 'native',
          embeddings: false,
          maxContextTokens: 131_072,
        }),
        streamUsage: true,
        fields: grokFields,
        perModel: grokModel,
        adaptChunk: foldReasoningTokens,
        adaptCompletion: foldReasoningTokens,
      }),
      http,
    );
  }
}
