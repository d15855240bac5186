import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { RoutingEvents } from '../../routing/routing-events.js';
import { GatewayMetrics } from './gateway.metrics.js';

/** Counts what routing reports as it happens: failed attempts, retries and fallbacks. */
@Injectable()
export class RoutingMetricsListener implements OnModuleInit, OnModuleDestroy {
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly events: RoutingEvents,
    private readonly metrics: GatewayMetrics,
  ) {}

  onModuleInit(): void {
    const m = this.metrics;
    this.unsubscribe.push(
      this.events.on('attempt-failed', (event) =>
        m.providerErrors.inc(m.labels({ provider: event.provider, code: event.code })),
      ),
      this.events.on('retry', (event) => m.retries.inc(m.labels({ provider: event.provider }))),
      this.events.on('fallback', (event) =>
        m.fallbacks.inc(m.labels({ from: event.from.provider, to: event.to.provider })),
      ),
    );
  }

  onModuleDestroy(): void {
    for (const stop of this.unsubscribe.splice(0)) stop();
  }
}
