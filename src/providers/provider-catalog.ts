import type { GatewayConfig } from '../config/gateway-config.types.js';
import { ANTHROPIC_PROVIDER } from './anthropic/anthropic.provider-definition.js';
import { AZURE_OPENAI_PROVIDER } from './azure-openai/azure-openai.provider-definition.js';
import { BEDROCK_PROVIDER } from './bedrock/bedrock.provider-definition.js';
import { CHATGLM_PROVIDER } from './chatglm/chatglm.provider-definition.js';
import { COHERE_PROVIDER } from './cohere/cohere.provider-definition.js';
import { customProviderDefinitions } from './custom/custom.provider-definition.js';
import { DEEPSEEK_PROVIDER } from './deepseek/deepseek.provider-definition.js';
import { GEMINI_PROVIDER } from './gemini/gemini.provider-definition.js';
import { GROK_PROVIDER } from './grok/grok.provider-definition.js';
import { GROQ_PROVIDER } from './groq/groq.provider-definition.js';
import { MISTRAL_PROVIDER } from './mistral/mistral.provider-definition.js';
import { MOCK_PROVIDER } from './mock/mock.provider-definition.js';
import { MOONSHOT_PROVIDER } from './moonshot/moonshot.provider-definition.js';
import { OLLAMA_PROVIDER } from './ollama/ollama.provider-definition.js';
import { OPENAI_PROVIDER } from './openai/openai.provider-definition.js';
import type { ProviderDefinition } from './provider-definition.js';
import { QWEN_PROVIDER } from './qwen/qwen.provider-definition.js';

/**
 * Every built-in provider. A provider registers only when its definition's activation setting
 * holds; the others still contribute their prefixes so `no_provider` can name the env var.
 */
export const PROVIDER_CATALOG: readonly ProviderDefinition[] = [
  OPENAI_PROVIDER,
  AZURE_OPENAI_PROVIDER,
  ANTHROPIC_PROVIDER,
  GEMINI_PROVIDER,
  BEDROCK_PROVIDER,
  MISTRAL_PROVIDER,
  COHERE_PROVIDER,
  GROQ_PROVIDER,
  QWEN_PROVIDER,
  DEEPSEEK_PROVIDER,
  MOONSHOT_PROVIDER,
  CHATGLM_PROVIDER,
  GROK_PROVIDER,
  OLLAMA_PROVIDER,
  MOCK_PROVIDER,
];

/** The built-in providers plus the custom ones `gateway.providers.custom` names. */
export function providerCatalog(config: GatewayConfig): readonly ProviderDefinition[] {
  return [...PROVIDER_CATALOG, ...customProviderDefinitions(config)];
}
