import { Module } from '@nestjs/common';
import { RedisConnection } from '../storage/redis.connection.js';
import { BreakerStateBus, LocalBreakerStateBus } from './breaker-state.bus.js';
import { FailoverExecutor } from './failover.executor.js';
import { ProviderResilience } from './provider-resilience.service.js';
import { RoutePlanner } from './route-planner.service.js';
import { RedisBreakerStateBus } from './redis-breaker-state.bus.js';
import { RoutingEvents } from './routing-events.js';

/** One replica keeps its breakers to itself; with Redis, the replicas share them. */
function breakerStateBus(redis: RedisConnection): BreakerStateBus {
  const subscriber = redis.createSubscriber();
  if (redis.client === undefined || subscriber === undefined) return new LocalBreakerStateBus();
  return new RedisBreakerStateBus(redis.client, subscriber, `${redis.keyPrefix}breaker:changed`);
}

/**
 * Routes, strategies, fallback chains and each provider's retries, circuit breaker and timeouts
 * (contract section 6), breakers shared by the replicas through Redis when it is configured
 * (contract 13). Needs the global configuration, provider registry and Redis connection.
 */
@Module({
  providers: [
    RoutingEvents,
    { provide: BreakerStateBus, useFactory: breakerStateBus, inject: [RedisConnection] },
    ProviderResilience,
    RoutePlanner,
    FailoverExecutor,
  ],
  exports: [RoutingEvents, ProviderResilience, RoutePlanner, FailoverExecutor],
})
export class RoutingModule {}
