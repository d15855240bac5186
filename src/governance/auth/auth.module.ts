import { Inject, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config/gateway-config.types.js';
import { ApiKeyGuard } from './api-key.guard.js';
import { ApiKeyVerifier, NoKeyStoreVerifier } from './api-key.verifier.js';

@Module({
  providers: [ApiKeyGuard, { provide: ApiKeyVerifier, useClass: NoKeyStoreVerifier }],
  exports: [ApiKeyGuard, ApiKeyVerifier],
})
export class AuthModule implements OnApplicationBootstrap {
  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  onApplicationBootstrap(): void {
    const logger = new Logger(AuthModule.name);
    if (!this.config.auth.required) {
      logger.warn(
        "gateway.auth.required is off: calls without an API key run as tenant 'default'. Use this only on a laptop or in CI.",
      );
    } else {
      logger.warn(
        'gateway.auth.required is on and no API key store is configured in this build: every /v1 call is refused with 401.',
      );
    }
  }
}
