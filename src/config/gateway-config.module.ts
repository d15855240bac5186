import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { GATEWAY_CONFIG, GatewayConfig } from './gateway-config.types.js';

/**
 * Makes the configuration validated at boot injectable everywhere: as the typed
 * `GATEWAY_CONFIG` object, and through `@nestjs/config`'s `ConfigService` (`get('gateway')`).
 */
@Global()
@Module({})
export class GatewayConfigModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: GatewayConfigModule,
      imports: [
        ConfigModule.forRoot({
          ignoreEnvFile: true,
          skipProcessEnv: true,
          load: [() => ({ gateway: config })],
        }),
      ],
      providers: [{ provide: GATEWAY_CONFIG, useValue: config }],
      exports: [GATEWAY_CONFIG, ConfigModule],
    };
  }
}
