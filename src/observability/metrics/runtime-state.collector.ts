import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { AuditTrail } from '../../governance/audit/audit-trail.service.js';
import { RateLimiter } from '../../governance/rate-limits/rate-limiter.service.js';
import { ProviderRegistry } from '../../providers/provider-registry.service.js';
import { ProviderResilience } from '../../routing/provider-resilience.service.js';
import type { BreakerState } from '../../routing/routing-events.js';
import { GatewayMetrics } from './gateway.metrics.js';

/** `gateway_circuit_state` values (contract 14). */
const CIRCUIT_STATE_VALUES: Readonly<Record<BreakerState, number>> = {
  closed: 0,
  'half-open': 1,
  open: 2,
};

/**
 * Metrics read from their owners when Prometheus scrapes, never counted per call: each provider's
 * circuit breaker state, the audit queue depth, and calls the rate limiter decided on per-replica
 * counters because Redis did not answer.
 */
@Injectable()
export class RuntimeStateCollector implements OnModuleInit {
  constructor(
    private readonly metrics: GatewayMetrics,
    private readonly providers: ProviderRegistry,
    private readonly resilience: ProviderResilience,
    private readonly audit: AuditTrail,
    private readonly limiter: RateLimiter,
  ) {}

  onModuleInit(): void {
    const registers = [this.metrics.registry];
    const circuit: Gauge<'provider'> = new Gauge({
      name: 'gateway_circuit_state',
      help: "Each provider's circuit breaker: 0 closed, 1 half-open, 2 open.",
      labelNames: ['provider'],
      registers,
      // Cluster mode: the worst state any worker sees (one shared state with Redis).
      aggregator: 'max',
      collect: () => this.circuitStates(circuit),
    });
    const queue: Gauge = new Gauge({
      name: 'gateway_audit_queue_depth',
      help: 'Audit events queued and not yet committed.',
      registers,
      // Cluster mode: every worker has its own queue; the group's depth is their sum.
      aggregator: 'sum',
      collect: () => queue.set(this.audit.stats()?.queueDepth ?? 0),
    });
    const limiterErrors: Counter = new Counter({
      name: 'gateway_rate_limit_errors_total',
      help: 'Rate-limit decisions taken on per-replica counters because Redis did not answer.',
      registers,
      collect: () => {
        limiterErrors.reset();
        limiterErrors.inc(this.limiter.errorCount);
      },
    });
  }

  private circuitStates(gauge: Gauge<'provider'>): void {
    gauge.reset();
    for (const provider of this.providers.providers) {
      const guard = this.resilience.guard(provider.id);
      // An unwrapped provider (the mock) has no breaker to report.
      if (guard === undefined) continue;
      gauge.set(
        this.metrics.labels({ provider: provider.id }),
        CIRCUIT_STATE_VALUES[guard.breakerState],
      );
    }
  }
}
