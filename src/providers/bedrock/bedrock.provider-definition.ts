import type { ProviderDefinition } from '../provider-definition.js';

/**
 * AWS Bedrock (contract section 5): `bedrock/` is stripped, so any Bedrock model id (foundation
 * model, inference profile or ARN) can follow it. Activation needs the switch and a key pair: the
 * SDK would otherwise fall back to its own credential chain, which the gateway does not use.
 */
export const BEDROCK_PROVIDER: ProviderDefinition = {
  id: 'bedrock',
  genAiProviderName: 'aws.bedrock',
  prefixes: ['bedrock/'],
  stripPrefix: true,
  activationHint: 'BEDROCK_ENABLED=true with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
  isActive: (config) => {
    const settings = config.providers.bedrock;
    return settings.enabled && settings.accessKey.trim() !== '' && settings.secretKey.trim() !== '';
  },
  load: async () => {
    const { BedrockModule } = await import('./bedrock.module.js');
    const { BedrockAdapter } = await import('./bedrock.adapter.js');
    return { module: BedrockModule, adapter: BedrockAdapter };
  },
};
