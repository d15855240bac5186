import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { BudgetLedger } from '../../governance/metering/budgets/budget-ledger.js';
import { ledgerLine } from '../../governance/metering/budgets/budget-lines.js';
import { BudgetRegistry } from '../../governance/metering/budgets/budget.registry.js';
import { METERING_CLOCK } from '../../governance/metering/budgets/budget.stage.js';
import { GatewayMetrics } from './gateway.metrics.js';

/**
 * `gateway_budget_utilization_ratio{budget}`: read from the budget counters when Prometheus
 * scrapes (one counter read per enabled budget per scrape, never per call), as the admin API's
 * budget usage reports it: spend plus in-flight reservations over the limit, this period.
 * Cluster mode reports the largest of the workers' readings: with Redis they all read the same
 * shared counters; without it each worker's counter starts from the usage records and then sees
 * only its own calls, so no sum of them would be right, and the largest is the one nearest to
 * refusing.
 */
@Injectable()
export class BudgetUtilizationCollector implements OnModuleInit {
  constructor(
    private readonly metrics: GatewayMetrics,
    private readonly budgets: BudgetRegistry,
    private readonly ledger: BudgetLedger,
    @Inject(METERING_CLOCK) private readonly now: () => number,
  ) {}

  onModuleInit(): void {
    const gauge: Gauge<'budget'> = new Gauge({
      name: 'gateway_budget_utilization_ratio',
      help: "Each enabled budget's spend plus in-flight reservations over its limit, this period.",
      labelNames: ['budget'],
      registers: [this.metrics.registry],
      aggregator: 'max',
      collect: () => this.collect(gauge),
    });
  }

  private async collect(gauge: Gauge<'budget'>): Promise<void> {
    const now = this.now();
    const readings = await Promise.all(
      this.budgets
        .list()
        .filter((budget) => budget.enabled)
        .map(async (budget) => {
          const line = ledgerLine(budget, now);
          // Counters that do not answer (Redis down) leave that budget out of this scrape.
          const state = await this.ledger.state(line).catch(() => undefined);
          if (state === undefined) return undefined;
          const committed = state.spentNano + state.reservedNano;
          const ratio = line.limitNano === 0 ? (committed > 0 ? 1 : 0) : committed / line.limitNano;
          return { id: budget.id, ratio };
        }),
    );
    gauge.reset();
    const reported = new Map<string, number>();
    for (const reading of readings) {
      if (reading === undefined) continue;
      const { budget } = this.metrics.labels({ budget: reading.id });
      // Budgets folded into `other` report the most used of them.
      reported.set(budget, Math.max(reported.get(budget) ?? 0, reading.ratio));
    }
    for (const [budget, ratio] of reported) gauge.set({ budget }, ratio);
  }
}
