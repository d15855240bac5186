import * as semconv from '@opentelemetry/semantic-conventions/incubating';
import { loadGatewayConfig } from '../config/config.loader.js';
import { StubLlmProvider } from '../../test/helpers/stub-llm-provider.js';
import { providerCatalog } from './provider-catalog.js';
import { ProviderRegistry } from './provider-registry.service.js';

/** Every `gen_ai.provider.name` value the semantic conventions define, by constant name. */
const KNOWN_NAMES = new Map(
  Object.entries(semconv)
    .filter(([name]) => name.startsWith('GEN_AI_PROVIDER_NAME_VALUE_'))
    .map(([name, value]) => [value as string, name]),
);

describe('provider catalog: gen_ai.provider.name', () => {
  const config = loadGatewayConfig({
    env: { GATEWAY_PROFILE: 'ci', GATEWAY_CONFIG_ADDITIONAL_LOCATION: '' },
  });
  const catalog = providerCatalog(config);

  it('declares a name the semantic conventions define, for each vendor they name', () => {
    const declared = Object.fromEntries(
      catalog
        .filter((definition) => definition.genAiProviderName !== undefined)
        .map((definition) => [definition.id, definition.genAiProviderName]),
    );
    expect(declared).toEqual({
      openai: semconv.GEN_AI_PROVIDER_NAME_VALUE_OPENAI,
      anthropic: semconv.GEN_AI_PROVIDER_NAME_VALUE_ANTHROPIC,
      bedrock: semconv.GEN_AI_PROVIDER_NAME_VALUE_AWS_BEDROCK,
      gemini: semconv.GEN_AI_PROVIDER_NAME_VALUE_GCP_GEMINI,
      'azure-openai': semconv.GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_OPENAI,
      mistral: semconv.GEN_AI_PROVIDER_NAME_VALUE_MISTRAL_AI,
      groq: semconv.GEN_AI_PROVIDER_NAME_VALUE_GROQ,
      deepseek: semconv.GEN_AI_PROVIDER_NAME_VALUE_DEEPSEEK,
      grok: semconv.GEN_AI_PROVIDER_NAME_VALUE_X_AI,
      cohere: semconv.GEN_AI_PROVIDER_NAME_VALUE_COHERE,
    });
    for (const name of Object.values(declared)) expect(KNOWN_NAMES.has(name!)).toBe(true);
  });

  it('falls back to the provider id where the conventions name no vendor', () => {
    const registry = new ProviderRegistry(catalog, [new StubLlmProvider('ollama')]);
    expect(registry.genAiProviderName('bedrock')).toBe('aws.bedrock');
    expect(registry.genAiProviderName('azure-openai')).toBe('azure.ai.openai');
    for (const id of ['ollama', 'qwen', 'moonshot', 'chatglm', 'mock', 'unknown-id']) {
      expect(KNOWN_NAMES.has(registry.genAiProviderName(id))).toBe(false);
      expect(registry.genAiProviderName(id)).toBe(id);
    }
  });
});
