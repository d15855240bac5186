import type { GatewayConfig } from '../../config/gateway-config.types.js';
import type { ProviderDefinition } from '../provider-definition.js';

/**
 * One definition per `gateway.providers.custom.<name>` entry: its own id, prefixes, stripping
 * rule and credential, so several OpenAI-compatible hosts run side by side with OpenAI.
 */
export function customProviderDefinitions(config: GatewayConfig): ProviderDefinition[] {
  return Object.entries(config.providers.custom).map(([name, settings]) => {
    const token = `custom-provider:${name}`;
    return {
      id: name,
      prefixes: settings.prefix,
      stripPrefix: settings.stripPrefix,
      activationHint: `gateway.providers.custom.${name}.enabled=true`,
      isActive: () => settings.enabled,
      load: async () => {
        const { OpenAiCompatibleModule } =
          await import('../openai-compatible/openai-compatible.module.js');
        const { CustomOpenAiCompatibleAdapter } = await import('./custom.adapter.js');
        const module = OpenAiCompatibleModule.forFactory(
          token,
          (http) => new CustomOpenAiCompatibleAdapter(name, settings, http),
        );
        return { module, adapter: token };
      },
    };
  });
}
