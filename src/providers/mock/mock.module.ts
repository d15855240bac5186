import { Inject, Logger, Module, OnModuleInit } from '@nestjs/common';
import { GATEWAY_CONFIG } from '../../config/gateway-config.types.js';
import type { GatewayConfig } from '../../config/gateway-config.types.js';
import { MockScriptEngine } from './mock-script.engine.js';
import { MockAdapter } from './mock.adapter.js';

/** The mock provider: registered by `ProvidersModule` only when `providers.mock.enabled` holds. */
@Module({
  providers: [
    {
      provide: MockScriptEngine,
      inject: [GATEWAY_CONFIG],
      useFactory: (config: GatewayConfig) => new MockScriptEngine(config.providers.mock.sandbox),
    },
    MockAdapter,
  ],
  exports: [MockAdapter],
})
export class MockModule implements OnModuleInit {
  private readonly logger = new Logger(MockModule.name);

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  onModuleInit(): void {
    // Canned answers in production are almost always a leftover dev setting: make it loud.
    if (this.config.providers.mock.enabled && this.config.profiles.includes('production')) {
      this.logger.warn(
        "The mock provider is enabled under the 'production' profile: 'mock/' models answer with " +
          'canned text, not a real model. Set MOCK_PROVIDER_ENABLED=false unless this is intended.',
      );
    }
  }
}
