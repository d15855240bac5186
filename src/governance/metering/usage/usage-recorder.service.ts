import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../../config/gateway-config.types.js';
import { type UsageRecord, UsageRepository } from '../../../storage/usage.repository.js';
import { CallSettlement } from '../../pipeline/call-settlement.service.js';
import type { CallOutcome, GovernanceContext } from '../../pipeline/governance-context.js';
import { CallCosting } from './call-costing.service.js';

/** Records held while the database does not answer; past this, the oldest are dropped (logged). */
const MAX_QUEUED = 200_000;

/**
 * Writes one usage record per call an upstream answered (contract 11.2), from settlement, where
 * every call ends. Nothing is written on the request path: records are queued and written in
 * batches every `gateway.metering.flush-interval-ms` (or as soon as a batch is full), so a spend
 * report reflects a settled call within that interval plus one write. A failed write keeps its
 * records for the next attempt; shutdown writes what is left.
 */
@Injectable()
export class UsageRecorder implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Metering');
  private queue: UsageRecord[] = [];
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private readonly batchSize: number;
  private readonly intervalMs: number;

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly settlement: CallSettlement,
    private readonly costing: CallCosting,
    private readonly repository: UsageRepository,
  ) {
    this.batchSize = config.metering.flushBatchSize;
    this.intervalMs = config.metering.flushIntervalMs;
  }

  onModuleInit(): void {
    this.settlement.prepare((context) => this.costing.costOf(context));
    this.settlement.observe({ callSettled: (context, outcome) => this.record(context, outcome) });
    // Nothing queued, nothing done: an idle tick allocates no promise.
    this.timer = setInterval(() => {
      if (this.queue.length > 0) void this.flush();
    }, this.intervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  /** Records waiting to be written. */
  get pending(): number {
    return this.queue.length;
  }

  record(context: GovernanceContext, outcome: CallOutcome): void {
    const cost = this.costing.costOf(context);
    const tenantId = context.tenant?.id;
    const answered = context.answeredBy;
    if (cost === undefined || tenantId === undefined || answered === undefined) return;
    const { usage } = cost;
    this.queue.push({
      at: Date.now(),
      traceId: context.traceId,
      tenantId,
      keyId: context.keyId ?? null,
      provider: answered.provider,
      model: answered.model,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      cachedInputTokens: usage.cachedInputTokens ?? 0,
      cacheWriteTokens: usage.cacheWriteTokens ?? 0,
      reasoningTokens: usage.reasoningTokens ?? 0,
      costNano: cost.nano,
      estimated: usage.estimated,
      priced: cost.priced,
      status: outcome.status,
      tags: context.tags ?? [],
    });
    if (this.queue.length > MAX_QUEUED) {
      const dropped = this.queue.length - MAX_QUEUED;
      this.queue.splice(0, dropped);
      this.logger.error(
        `Usage records could not be written in time: dropped the ${dropped} oldest.`,
      );
    }
    if (this.queue.length >= this.batchSize) void this.flush();
  }

  /** Writes every queued record (one batch after another); resolves when done or failed. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.writeAll());
    return this.flushing;
  }

  private async writeAll(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.batchSize);
      try {
        await this.repository.insert(batch);
      } catch (error) {
        this.queue.unshift(...batch);
        this.logger.warn(
          `Could not write ${batch.length} usage records (kept for the next attempt): ${error instanceof Error ? error.message : String(error)}`,
        );
        return;
      }
    }
  }
}
