import { DynamicModule, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import type { GatewayConfig } from '../config/gateway-config.types.js';
import type { LlmProvider } from './llm-provider.js';
import { providerCatalog } from './provider-catalog.js';
import type { ProviderBinding, ProviderDefinition } from './provider-definition.js';
import { ProviderRegistry } from './provider-registry.service.js';

/**
 * Decides which vendor modules register, from the typed configuration, and builds the registry
 * (global: the inference and health modules inject it). Only the active vendors' modules are
 * imported, with a dynamic `import()`: an inactive vendor's adapter and SDK never load.
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

  static async forRoot(
    config: GatewayConfig,
    catalog: readonly ProviderDefinition[] = providerCatalog(config),
  ): Promise<DynamicModule> {
    const active = catalog.filter((definition) => definition.isActive(config));
    const unclaimed = active.find((definition) => definition.servesUnclaimedModels?.(config));
    // One at a time: start-up gains nothing from overlapping them, and concurrent dynamic imports
    // sharing dependencies trip Jest's ESM runtime ("request for ... is not in cache",
    // https://github.com/nodejs/node/issues/33216), which the end-to-end tests boot under.
    const bindings: ProviderBinding[] = [];
    for (const definition of active) bindings.push(await definition.load());
    return {
      module: ProvidersModule,
      global: true,
      imports: bindings.map((binding) => binding.module),
      providers: [
        {
          provide: ProviderRegistry,
          useFactory: (...adapters: LlmProvider[]) =>
            new ProviderRegistry(catalog, adapters, unclaimed?.id),
          inject: bindings.map((binding) => binding.adapter),
        },
      ],
      exports: [ProviderRegistry],
    };
  }
}
