import { Module } from '@nestjs/common';
import { RoutingModule } from '../../routing/routing.module.js';
import { RedisConnection } from '../../storage/redis.connection.js';
import { UsageRepository } from '../../storage/usage.repository.js';
import { GovernanceCoreModule } from '../pipeline/governance-core.module.js';
import { BudgetLedger, type LedgerLine } from './budgets/budget-ledger.js';
import { BudgetRegistry } from './budgets/budget.registry.js';
import { BudgetStage, FALLBACK_BUDGET_LEDGER, METERING_CLOCK } from './budgets/budget.stage.js';
import { MemoryBudgetLedger } from './budgets/memory-budget.ledger.js';
import { RedisBudgetLedger } from './budgets/redis-budget.ledger.js';
import { MeteringChangeBus } from './metering-change.bus.js';
import { MeteringSync } from './metering-sync.service.js';
import { PriceBook } from './pricing/price-book.service.js';
import { CallCosting } from './usage/call-costing.service.js';
import { MeteringAnswerStage } from './usage/metering.answer-stage.js';
import { UsageRecorder } from './usage/usage-recorder.service.js';

const spentFrom = (usage: UsageRepository) => (line: LedgerLine) =>
  usage.spentNano(line.owner, line.start, line.end);

/** Counters in Redis when it is configured (shared by every replica), else in this process. */
function budgetLedger(
  redis: RedisConnection,
  usage: UsageRepository,
  now: () => number,
): BudgetLedger {
  return redis.client === undefined || redis.runner === undefined
    ? new MemoryBudgetLedger(spentFrom(usage), now)
    : new RedisBudgetLedger(redis.client, redis.runner, spentFrom(usage));
}

/**
 * With Redis, the counters this process falls back to while Redis does not answer: rebuilt from
 * the usage records, per replica, so a Redis outage never lets a call through unreserved.
 */
function fallbackLedger(
  redis: RedisConnection,
  usage: UsageRepository,
  now: () => number,
): BudgetLedger | null {
  return redis.client === undefined ? null : new MemoryBudgetLedger(spentFrom(usage), now);
}

/**
 * Metering (contract 11.1-11.3): prices, the cost of every call, usage records written in
 * batches from settlement, budgets (the stage-5 seam, counters in memory or Redis), and the
 * sync that keeps every replica's budgets and prices current. Needs the global configuration
 * and storage.
 */
@Module({
  imports: [GovernanceCoreModule, RoutingModule],
  providers: [
    { provide: METERING_CLOCK, useValue: () => Date.now() },
    {
      provide: BudgetLedger,
      useFactory: budgetLedger,
      inject: [RedisConnection, UsageRepository, METERING_CLOCK],
    },
    {
      provide: FALLBACK_BUDGET_LEDGER,
      useFactory: fallbackLedger,
      inject: [RedisConnection, UsageRepository, METERING_CLOCK],
    },
    PriceBook,
    CallCosting,
    UsageRecorder,
    MeteringAnswerStage,
    BudgetRegistry,
    BudgetStage,
    MeteringChangeBus,
    MeteringSync,
  ],
  exports: [
    METERING_CLOCK,
    PriceBook,
    CallCosting,
    UsageRecorder,
    MeteringAnswerStage,
    BudgetRegistry,
    BudgetLedger,
    BudgetStage,
    MeteringSync,
  ],
})
export class MeteringModule {}
