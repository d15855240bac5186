import { Module } from '@nestjs/common';
import { FailoverExecutor } from './failover.executor.js';
import { ProviderResilience } from './provider-resilience.service.js';
import { RoutePlanner } from './route-planner.service.js';
import { RoutingEvents } from './routing-events.js';

/**
 * Routes, strategies, fallback chains and each provider's retries, circuit breaker and timeouts
 * (contract section 6). Needs the global configuration and provider registry.
 */
@Module({
  providers: [RoutingEvents, ProviderResilience, RoutePlanner, FailoverExecutor],
  exports: [RoutingEvents, ProviderResilience, RoutePlanner, FailoverExecutor],
})
export class RoutingModule {}
