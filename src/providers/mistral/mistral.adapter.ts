import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config/gateway-config.types.js';
import { UpstreamHttpClient } from '../http/upstream-http.client.js';
import type { FinishReason } from '../llm-provider.types.js';
import { bearerProfile } from '../openai-compatible/bearer-profile.js';
import { capabilities } from '../openai-compatible/compatible-capabilities.js';
import { forwarded } from '../field-map.js';
import type { FieldMap } from '../llm-provider.types.js';
import { OpenAiCompatibleAdapter } from '../openai-compatible/openai-compatible.adapter.js';
import type { WireJson } from '../openai-compatible/openai-compatible.profile.js';
import { toMistralToolCallId } from './mistral-tool-call-id.js';

/**
 * Mistral's request differs from OpenAI's in names and rules (wire-formats section 7): `seed` is
 * `random_seed`, `max_completion_tokens` is `max_tokens`, tool-call ids are nine alphanumerics,
 * and fields it does not know (`user`, `metadata`) are refused with 422, so they are not sent.
 */
export function toMistralBody(body: WireJson): void {
  if (body.seed !== undefined) {
    body.random_seed = body.seed;
    delete body.seed;
  }
  if (body.max_completion_tokens !== undefined) {
    body.max_tokens ??= body.max_completion_tokens;
    delete body.max_completion_tokens;
  }
  delete body.user;
  delete body.metadata;
  if (!Array.isArray(body.messages)) return;
  for (const message of body.messages as WireJson[]) {
    if (typeof message.tool_call_id === 'string') {
      message.tool_call_id = toMistralToolCallId(message.tool_call_id);
    }
    if (Array.isArray(message.tool_calls)) {
      for (const call of message.tool_calls as WireJson[]) {
        if (typeof call.id === 'string') call.id = toMistralToolCallId(call.id);
      }
    }
  }
}

const MISTRAL_FIELDS: FieldMap = { n: forwarded(), prediction: forwarded() };

/** `model_length` is Mistral's "the context window ran out". */
export function mistralFinishReason(value: string): FinishReason | undefined {
  return value === 'model_length' ? 'length' : undefined;
}

/**
 * Mistral (wire-formats section 7): usage on the finish chunk without `stream_options` (which it
 * refuses), whole tool calls in one chunk, embeddings as floats.
 */
@Injectable()
export class MistralAdapter extends OpenAiCompatibleAdapter {
  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig, http: UpstreamHttpClient) {
    super(
      bearerProfile('mistral', config.providers.mistral, {
        capabilities: capabilities({
          vision: false,
          tools: true,
          jsonSchema: 'native',
          jsonObject: 'native',
          embeddings: true,
          maxContextTokens: 128_000,
        }),
        // Mistral documents `n` and `prediction` (wire-formats 7) with OpenAI's shapes.
        fields: () => MISTRAL_FIELDS,
        embeddingsPath: () => '/embeddings',
        streamUsage: false,
        adaptChatBody: toMistralBody,
        finishReason: mistralFinishReason,
      }),
      http,
    );
  }
}
