import { type DynamicModule, Module } from '@nestjs/common';
import type { GatewayConfig } from '../../config/gateway-config.types.js';
import { MeteringModule } from '../../governance/metering/metering.module.js';
import { GovernanceCoreModule } from '../../governance/pipeline/governance-core.module.js';
import { RateLimitModule } from '../../governance/rate-limits/rate-limit.module.js';
import { RoutingModule } from '../../routing/routing.module.js';
import { BudgetUtilizationCollector } from './budget-utilization.collector.js';
import { CallMetricsObserver } from './call-metrics.observer.js';
import { GatewayMetrics } from './gateway.metrics.js';
import { metricsControllerAt } from './metrics.controller.js';
import { MetricsTokenGuard } from './metrics-token.guard.js';
import { RoutingMetricsListener } from './routing-metrics.listener.js';
import { RuntimeStateCollector } from './runtime-state.collector.js';

/**
 * Prometheus metrics (contract 14): `GET <gateway.metrics.path>` on the gateway's own port, fed
 * by settlement (every /v1 call as it ends), routing events, and the owners of gauges read at
 * scrape time. With `gateway.metrics.enabled: false` nothing is registered: no endpoint (404), no
 * observer, no cost per call.
 */
@Module({})
export class MetricsModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    if (!config.metrics.enabled) return { module: MetricsModule };
    return {
      module: MetricsModule,
      imports: [GovernanceCoreModule, MeteringModule, RateLimitModule, RoutingModule],
      controllers: [metricsControllerAt(config.metrics.path)],
      providers: [
        GatewayMetrics,
        MetricsTokenGuard,
        CallMetricsObserver,
        RoutingMetricsListener,
        RuntimeStateCollector,
        BudgetUtilizationCollector,
      ],
    };
  }
}
