import { ANTHROPIC_PROVIDER } from './anthropic/anthropic.provider-definition.js';
import { BEDROCK_PROVIDER } from './bedrock/bedrock.provider-definition.js';
import { COHERE_PROVIDER } from './cohere/cohere.provider-definition.js';
import { GEMINI_PROVIDER } from './gemini/gemini.provider-definition.js';
import { MOCK_PROVIDER } from './mock/mock.provider-definition.js';
import { OPENAI_PROVIDER } from './openai/openai.provider-definition.js';
import type { ProviderDefinition } from './provider-definition.js';

/**
 * Every provider the gateway knows. A provider registers only when its definition's activation
 * setting holds; the others still contribute their prefixes so `no_provider` can name the env var.
 */
export const PROVIDER_CATALOG: readonly ProviderDefinition[] = [
  OPENAI_PROVIDER,
  ANTHROPIC_PROVIDER,
  COHERE_PROVIDER,
  GEMINI_PROVIDER,
  BEDROCK_PROVIDER,
  MOCK_PROVIDER,
];
