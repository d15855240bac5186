import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config/gateway-config.types.js';
import { UpstreamHttpClient } from '../http/upstream-http.client.js';
import type { ChatCompletionRequest, FinishReason } from '../llm-provider.types.js';
import { bearerProfile } from '../openai-compatible/bearer-profile.js';
import { capabilities } from '../openai-compatible/compatible-capabilities.js';
import { OpenAiCompatibleAdapter } from '../openai-compatible/openai-compatible.adapter.js';
import type { WireJson } from '../openai-compatible/openai-compatible.profile.js';

/**
 * Zhipu's chat API takes one stop sequence and only `tool_choice: "auto"` (wire-formats section
 * 13). `none` is honoured by not sending the tools; what cannot be honoured is refused, naming the
 * field, rather than silently dropped (contract 4.7).
 */
export function fitZhipuLimits(body: WireJson, request: ChatCompletionRequest): void {
  if (Array.isArray(request.stop) && request.stop.length > 1) {
    throw new GatewayError(
      ErrorCode.UnsupportedCapability,
      "Provider 'chatglm' takes a single stop sequence.",
      { param: 'stop', provider: 'chatglm' },
    );
  }
  if (Array.isArray(body.stop)) body.stop = body.stop[0];
  const choice = request.tool_choice;
  if (choice === 'none') {
    delete body.tools;
    delete body.tool_choice;
  } else if (choice !== undefined && choice !== 'auto') {
    throw new GatewayError(
      ErrorCode.UnsupportedCapability,
      "Provider 'chatglm' supports only tool_choice 'auto' (or 'none').",
      { param: 'tool_choice', provider: 'chatglm' },
    );
  }
}

/** GLM's own finish reasons: `sensitive` is its content filter. */
export function zhipuFinishReason(value: string): FinishReason | undefined {
  return value === 'sensitive' ? 'content_filter' : undefined;
}

/** ChatGLM (Zhipu BigModel, wire-formats section 13): text, tools, json_object, 128k context. */
@Injectable()
export class ChatGlmAdapter extends OpenAiCompatibleAdapter {
  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig, http: UpstreamHttpClient) {
    super(
      bearerProfile('chatglm', config.providers.chatglm, {
        capabilities: capabilities({
          vision: false,
          tools: true,
          jsonSchema: 'none',
          jsonObject: 'native',
          embeddings: true,
          maxContextTokens: 128_000,
        }),
        embeddingsPath: () => '/embeddings',
        // Usage arrives on the final chunk on its own.
        streamUsage: false,
        adaptChatBody: fitZhipuLimits,
        finishReason: zhipuFinishReason,
      }),
      http,
    );
  }
}
