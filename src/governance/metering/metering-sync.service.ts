import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config/gateway-config.types.js';
import { loadTokenizer, tokenizerLoaded } from '../../providers/usage-estimate.js';
import { BudgetRepository } from '../../storage/budget.repository.js';
import { BudgetLedger } from './budgets/budget-ledger.js';
import { BudgetRegistry } from './budgets/budget.registry.js';
import { MeteringChangeBus } from './metering-change.bus.js';
import { PriceBook } from './pricing/price-book.service.js';
import { withDeadline } from '../../storage/deadline.js';
import { StoredVersionPoller } from '../../storage/stored-version.poller.js';

/** How long shutdown waits for the budget counters to take the last settlements. */
const SHUTDOWN_FLUSH_MS = 2_000;

/**
 * Keeps every replica's cached budgets and prices current (contract 11.1, 11.3): loaded at
 * start-up, reloaded when the stored metering version moves (polled at least every
 * `gateway.metering.reload-interval-ms`, by {@link StoredVersionPoller}) or at once when another replica announces a change over
 * Redis. A storage hiccup keeps what is in force.
 */
@Injectable()
export class MeteringSync implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metering');
  private version = -1;
  private reloading: Promise<void> = Promise.resolve();
  private warnedPerReplica = false;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly budgets: BudgetRegistry,
    private readonly prices: PriceBook,
    private readonly repository: BudgetRepository,
    private readonly bus: MeteringChangeBus,
    private readonly ledger: BudgetLedger,
    private readonly poller: StoredVersionPoller,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.reload(true);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.bus.start(() => void this.reloadQuietly(true));
    // The shared poll compares the stored version with ours and reloads only when it moved.
    this.poller.watch('metering', this.config.metering.reloadIntervalMs, {
      loaded: () => this.version,
      stale: () => void this.reloadQuietly(false),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    // A Redis that does not answer must not hold the shutdown: the settlements it would have
    // taken are in the usage records, which rebuild the counters.
    try {
      await withDeadline(this.ledger.flush(), SHUTDOWN_FLUSH_MS, 'no answer');
    } catch (error) {
      this.logger.warn(
        `Budget settlements not flushed at shutdown (${error instanceof Error ? error.message : String(error)}); the usage records keep the spend.`,
      );
    }
  }

  /** After a stored budget or price write: reload here at once, and tell every other replica. */
  async changed(): Promise<void> {
    await this.reload(true);
    try {
      await this.bus.publish();
    } catch (error) {
      this.logger.warn(
        `Could not announce a budget or price change: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  reload(force: boolean): Promise<void> {
    const next = this.reloading.then(() => this.load(force));
    this.reloading = next.catch(() => undefined);
    return next;
  }

  /**
   * The o200k tokenizer makes reservations match real usage closely, but takes about 60 MB and
   * 0.6 s to load: it is loaded once the first budget exists (at start-up when budgets are
   * configured), so a gateway without budgets never pays for it.
   */
  private async loadTokenizer(): Promise<void> {
    const maxChars = this.config.metering.tokenizerMaxChars;
    if (maxChars === 0 || tokenizerLoaded()) return;
    try {
      await loadTokenizer(maxChars);
    } catch (error) {
      this.logger.warn(
        `Could not load the tokenizer; estimates count four characters per token: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  private async reloadQuietly(force: boolean): Promise<void> {
    try {
      await this.reload(force);
    } catch (error) {
      this.logger.warn(
        `Could not reload budgets and prices: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  private async load(force: boolean): Promise<void> {
    const version = await this.repository.version();
    if (!force && version === this.version) return;
    await Promise.all([this.budgets.reload(), this.prices.reload()]);
    this.version = version;
    if (this.budgets.active) await this.loadTokenizer();
    if (this.budgets.active && this.ledger.kind === 'memory' && !this.warnedPerReplica) {
      this.warnedPerReplica = true;
      this.logger.warn(
        'Budget counters are kept in this process (GATEWAY_REDIS_URL is not set): with several replicas, each enforces every budget on its own calls only. Set GATEWAY_REDIS_URL to share them.',
      );
    }
  }
}
