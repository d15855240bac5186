import { Inject, Injectable, Logger } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../../config/gateway-config.types.js';
import { BudgetRepository } from '../../../storage/budget.repository.js';
import type { Budget } from './budget.types.js';

interface TenantBudgets {
  /** Budgets on the whole tenant. */
  readonly tenant: readonly Budget[];
  /** Budgets on one key, by key id. */
  readonly keys: ReadonlyMap<string, readonly Budget[]>;
}

const NONE: readonly Budget[] = Object.freeze([]);

/**
 * Every budget in force (contract 11.3): `gateway.budgets[]` and the stored ones (bootstrap file
 * and admin API), indexed by tenant and key, so admitting a call reads no database. Reloaded at
 * start-up and whenever the metering version moves (MeteringSync), on every replica. A stored
 * budget with the id of a configuration one is ignored: configuration is the platform's ceiling.
 */
@Injectable()
export class BudgetRegistry {
  private readonly logger = new Logger('Budgets');
  private readonly fromConfig: readonly Budget[];
  private all: readonly Budget[] = [];
  private index = new Map<string, TenantBudgets>();

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly repository: BudgetRepository,
  ) {
    const now = new Date();
    this.fromConfig = config.budgets.map((entry) => ({
      id: entry.id,
      tenantId: entry.tenant,
      keyId: entry.keyId ?? null,
      period: entry.period,
      limitUsd: entry.limitUsd,
      softLimitPct: entry.softLimitPct,
      enabled: entry.enabled,
      source: 'config' as const,
      createdAt: now,
      updatedAt: now,
    }));
    this.rebuild([]);
  }

  /** Whether any enabled budget exists: without one, the budget stage is idle. */
  get active(): boolean {
    return this.index.size > 0;
  }

  /** The enabled budgets that apply to a call of `tenantId` with `keyId`. */
  applicable(tenantId: string, keyId: string | undefined): readonly Budget[] {
    const budgets = this.index.get(tenantId);
    if (budgets === undefined) return NONE;
    const own = keyId === undefined ? undefined : budgets.keys.get(keyId);
    return own === undefined ? budgets.tenant : [...budgets.tenant, ...own];
  }

  /** Every budget, configuration ones first (by id), then stored ones. */
  list(): readonly Budget[] {
    return this.all;
  }

  configBudget(id: string): Budget | undefined {
    return this.fromConfig.find((budget) => budget.id === id);
  }

  async reload(): Promise<void> {
    this.rebuild(await this.repository.list());
  }

  private rebuild(stored: readonly Budget[]): void {
    const configIds = new Set(this.fromConfig.map((b) => b.id));
    for (const budget of stored) {
      if (configIds.has(budget.id)) {
        this.logger.warn(
          `Stored budget '${budget.id}' has the id of a configuration budget and is ignored.`,
        );
      }
    }
    this.all = [...this.fromConfig, ...stored.filter((b) => !configIds.has(b.id))];
    const index = new Map<string, { tenant: Budget[]; keys: Map<string, Budget[]> }>();
    for (const budget of this.all) {
      if (!budget.enabled) continue;
      let entry = index.get(budget.tenantId);
      if (entry === undefined)
        index.set(budget.tenantId, (entry = { tenant: [], keys: new Map() }));
      if (budget.keyId === null) entry.tenant.push(budget);
      else entry.keys.set(budget.keyId, [...(entry.keys.get(budget.keyId) ?? []), budget]);
    }
    this.index = index;
  }
}
