import { DynamicModule, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import type { GatewayConfig } from '../config/gateway-config.types.js';
import type { LlmProvider } from './llm-provider.js';
import { providerCatalog } from './provider-catalog.js';
import type { ProviderDefinition } from './provider-definition.js';
import { ProviderRegistry } from './provider-registry.service.js';

/**
 * Decides which vendor modules register, from the typed configuration, and builds the registry
 * (global: the inference and health modules inject it).
 */
@Module({})
export class ProvidersModule implements OnApplicationBootstrap {
  constructor(private readonly registry: ProviderRegistry) {}

  onApplicationBootstrap(): void {
    const ids = this.registry.providers.map((p) => p.id);
    new Logger(ProvidersModule.name).log(
      ids.length > 0
        ? `Providers registered: ${ids.join(', ')}`
        : 'No provider is activated; every model will be refused with no_provider',
    );
  }

  static forRoot(
    config: GatewayConfig,
    catalog: readonly ProviderDefinition[] = providerCatalog(config),
  ): DynamicModule {
    const active = catalog.filter((definition) => definition.isActive(config));
    const unclaimed = active.find((definition) => definition.servesUnclaimedModels?.(config));
    return {
      module: ProvidersModule,
      global: true,
      imports: active.map((definition) => definition.module),
      providers: [
        {
          provide: ProviderRegistry,
          useFactory: (...adapters: LlmProvider[]) =>
            new ProviderRegistry(catalog, adapters, unclaimed?.id),
          inject: active.map((definition) => definition.adapter),
        },
      ],
      exports: [ProviderRegistry],
    };
  }
}
