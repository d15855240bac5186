import { Inject, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config/gateway-config.types.js';
import { RedisConnection } from '../../storage/redis.connection.js';
import { ApiKeyGuard } from './api-key.guard.js';
import { ApiKeyService } from './api-key.service.js';
import { InProcessInvalidationBus, KeyInvalidationBus } from './key-invalidation.bus.js';
import { LastUsedRecorder } from './last-used.recorder.js';
import { RedisInvalidationBus } from './redis-invalidation.bus.js';

/** One replica keeps invalidations in process; with Redis they reach every replica. */
function invalidationBus(redis: RedisConnection): KeyInvalidationBus {
  const subscriber = redis.createSubscriber();
  if (redis.client === undefined || subscriber === undefined) return new InProcessInvalidationBus();
  return new RedisInvalidationBus(redis.client, subscriber, `${redis.keyPrefix}auth:invalidate`);
}

/** API key issuing and verification; the guard every /v1 data-plane route uses. */
@Module({
  providers: [
    ApiKeyGuard,
    ApiKeyService,
    LastUsedRecorder,
    { provide: KeyInvalidationBus, useFactory: invalidationBus, inject: [RedisConnection] },
  ],
  exports: [ApiKeyGuard, ApiKeyService],
})
export class AuthModule implements OnApplicationBootstrap {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly bus: KeyInvalidationBus,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.bus.start();
    if (!this.config.auth.required) {
      new Logger(AuthModule.name).warn(
        "gateway.auth.required is off: calls without an API key run as tenant 'default'. Use this only on a laptop or in CI.",
      );
    }
  }
}
