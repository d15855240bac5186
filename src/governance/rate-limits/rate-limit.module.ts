import { Inject, Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config/gateway-config.types.js';
import { RedisConnection } from '../../storage/redis.connection.js';
import { GovernanceCoreModule } from '../pipeline/governance-core.module.js';
import { MemoryRateLimitStore } from './memory-rate-limit.store.js';
import { RateLimitStage } from './rate-limit.stage.js';
import { RateLimiter } from './rate-limiter.service.js';
import { RedisRateLimitStore } from './redis-rate-limit.store.js';

function rateLimiter(redis: RedisConnection): RateLimiter {
  const shared = redis.runner === undefined ? undefined : new RedisRateLimitStore(redis.runner);
  return new RateLimiter(new MemoryRateLimitStore(), shared);
}

/**
 * Rate limits (contract 11.4): the stage the pipeline binds to its rate-limit seam, and the
 * limiter behind it (Redis when configured, process memory otherwise and as the fallback).
 * `RateLimiter.errorCount` is what a metrics module reads as `gateway_rate_limit_errors_total`.
 */
@Module({
  imports: [GovernanceCoreModule],
  providers: [
    { provide: RateLimiter, useFactory: rateLimiter, inject: [RedisConnection] },
    RateLimitStage,
  ],
  exports: [RateLimitStage, RateLimiter],
})
export class RateLimitModule implements OnApplicationBootstrap {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly limiter: RateLimiter,
  ) {}

  onApplicationBootstrap(): void {
    if (this.limiter.shared) return;
    const { perKey, perTenant } = this.config.rateLimits;
    const configured = [perKey, perTenant].some(
      (limits) => limits.requestsPerMinute > 0 || limits.tokensPerMinute > 0,
    );
    const message =
      'Rate limits are counted in this process only (GATEWAY_REDIS_URL is not set): ' +
      'each replica admits up to the whole limit.';
    const logger = new Logger('RateLimits');
    // With no limit configured they may still come from tenant or key settings: say it quietly.
    if (configured) logger.warn(message);
    else logger.log(message);
  }
}
