import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { BudgetLedger } from '../../governance/metering/budgets/budget-ledger.js';
import { ledgerLine } from '../../governance/metering/budgets/budget-lines.js';
import { BudgetRegistry } from '../../governance/metering/budgets/budget.registry.js';
import { METERING_CLOCK } from '../../governance/metering/budgets/budget.stage.js';
import type { Budget, BudgetInput } from '../../governance/metering/budgets/budget.types.js';
import { MeteringSync } from '../../governance/metering/metering-sync.service.js';
import { nanoToUsd } from '../../governance/metering/pricing/cost.calculator.js';
import { ApiKeyRepository } from '../../storage/api-key.repository.js';
import { BudgetRepository } from '../../storage/budget.repository.js';
import { TenantRepository } from '../../storage/tenant.repository.js';
import { type AdminActor, AdminEvents } from '../admin-events.service.js';
import type { BudgetUsageView } from '../dto/budget-usage.view.js';

/** What a budget write may change (PATCH), or set (POST). */
export interface BudgetChanges {
  readonly period?: Budget['period'];
  readonly limitUsd?: number;
  readonly softLimitPct?: number;
  readonly enabled?: boolean;
}

/**
 * Budget administration shared by the admin API, the bootstrap file and the CLI (contract 11.3).
 * Configuration budgets are read-only here; every write reloads the budgets on this replica and
 * announces the change, so every replica enforces it within a second.
 */
@Injectable()
export class BudgetsAdminService {
  constructor(
    private readonly budgets: BudgetRepository,
    private readonly registry: BudgetRegistry,
    private readonly ledger: BudgetLedger,
    private readonly sync: MeteringSync,
    private readonly tenants: TenantRepository,
    private readonly keys: ApiKeyRepository,
    private readonly events: AdminEvents,
    @Inject(METERING_CLOCK) private readonly now: () => number = Date.now,
  ) {}

  /** Configuration budgets first, then stored ones, by id. */
  async list(tenantId?: string): Promise<Budget[]> {
    const config = this.registry
      .list()
      .filter((b) => b.source === 'config' && (tenantId === undefined || b.tenantId === tenantId));
    const stored = await this.budgets.list(tenantId === undefined ? {} : { tenantId });
    const configIds = new Set(config.map((b) => b.id));
    return [...config, ...stored.filter((b) => !configIds.has(b.id))];
  }

  /** @throws GatewayError `budget_not_found` */
  async get(id: string): Promise<Budget> {
    const budget = this.registry.configBudget(id) ?? (await this.budgets.get(id));
    if (budget === undefined) throw notFound(id);
    return budget;
  }

  /**
   * @throws GatewayError `tenant_not_found`, `api_key_not_found` (a key of another tenant
   *   included), `budget_exists`, `budget_read_only` (a configuration budget's id)
   */
  async create(
    input: Omit<BudgetInput, 'id' | 'source'> & { id?: string },
    actor: AdminActor,
    source: BudgetInput['source'] = 'api',
  ): Promise<Budget> {
    const id = input.id ?? newBudgetId();
    if (this.registry.configBudget(id)) throw readOnly(id, 'config');
    await this.requireOwner(input.tenantId, input.keyId);
    const created = await this.budgets.insert({ ...input, id, source });
    await this.sync.changed();
    this.record('budget.created', created, actor);
    return created;
  }

  /** @throws GatewayError `budget_not_found`, `budget_read_only` */
  async update(id: string, changes: BudgetChanges, actor: AdminActor): Promise<Budget> {
    const current = await this.changeable(id);
    const updated = await this.budgets.update(id, { ...current, ...defined(changes) });
    if (updated === undefined) throw notFound(id);
    await this.sync.changed();
    this.record('budget.updated', updated, actor);
    return updated;
  }

  /** @throws GatewayError `budget_not_found`, `budget_read_only` */
  async delete(id: string, actor: AdminActor): Promise<void> {
    const current = await this.changeable(id);
    if (!(await this.budgets.delete(id))) throw notFound(id);
    await this.sync.changed();
    this.record('budget.deleted', current, actor);
  }

  /**
   * Creates or replaces a budget by id, as the bootstrap file does; an equal one is left alone.
   * @returns whether anything was written
   */
  async apply(input: BudgetInput, actor: AdminActor): Promise<'created' | 'updated' | 'unchanged'> {
    const stored = await this.budgets.get(input.id);
    if (stored === undefined) {
      await this.create(input, actor, input.source);
      return 'created';
    }
    const same =
      stored.tenantId === input.tenantId &&
      stored.keyId === input.keyId &&
      stored.period === input.period &&
      stored.limitUsd === input.limitUsd &&
      stored.softLimitPct === input.softLimitPct &&
      stored.enabled === input.enabled &&
      stored.source === input.source;
    if (same) return 'unchanged';
    await this.requireOwner(input.tenantId, input.keyId);
    const updated = await this.budgets.update(input.id, input);
    if (updated === undefined) throw notFound(input.id);
    await this.sync.changed();
    this.record('budget.updated', updated, actor);
    return 'updated';
  }

  /** The budget's current period: spent, reserved by calls in flight, what is left. */
  async usage(id: string): Promise<BudgetUsageView> {
    const budget = await this.get(id);
    const line = ledgerLine(budget, this.now());
    const state = await this.ledger.state(line);
    const committed = state.spentNano + state.reservedNano;
    return {
      budget_id: budget.id,
      period_start: new Date(line.start).toISOString(),
      period_end: new Date(line.end).toISOString(),
      spent_usd: nanoToUsd(state.spentNano),
      reserved_usd: nanoToUsd(state.reservedNano),
      limit_usd: budget.limitUsd,
      remaining_usd: nanoToUsd(Math.max(0, line.limitNano - committed)),
      utilization_pct:
        line.limitNano === 0
          ? committed > 0
            ? 100
            : 0
          : Math.round((committed / line.limitNano) * 10_000) / 100,
    };
  }

  private async changeable(id: string): Promise<Budget> {
    if (this.registry.configBudget(id)) throw readOnly(id, 'config');
    const stored = await this.budgets.get(id);
    if (stored === undefined) throw notFound(id);
    if (stored.source !== 'api') throw readOnly(id, stored.source);
    return stored;
  }

  /** A budget on a tenant that does not exist, or on another tenant's key, would govern no one. */
  private async requireOwner(tenantId: string, keyId: string | null): Promise<void> {
    if (!(await this.tenants.get(tenantId))) {
      throw new GatewayError(ErrorCode.TenantNotFound, `Tenant '${tenantId}' does not exist.`, {
        param: 'tenant',
      });
    }
    if (keyId === null) return;
    const key = await this.keys.get(keyId);
    if (key === undefined || key.tenantId !== tenantId) {
      throw new GatewayError(
        ErrorCode.ApiKeyNotFound,
        `API key '${keyId}' does not exist for tenant '${tenantId}'.`,
        { param: 'key_id' },
      );
    }
  }

  private record(
    action: 'budget.created' | 'budget.updated' | 'budget.deleted',
    budget: Budget,
    actor: AdminActor,
  ): void {
    this.events.record(
      { action, tenantId: budget.tenantId, keyId: budget.keyId ?? undefined, budgetId: budget.id },
      actor,
    );
  }
}

/** `bud_` + 12 hex. */
export function newBudgetId(): string {
  return `bud_${randomBytes(6).toString('hex')}`;
}

function defined(changes: BudgetChanges): BudgetChanges {
  return Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
}

function notFound(id: string): GatewayError {
  return new GatewayError(ErrorCode.BudgetNotFound, `Budget '${id}' does not exist.`, {
    param: 'id',
  });
}

function readOnly(id: string, source: Budget['source']): GatewayError {
  const where =
    source === 'config'
      ? 'the configuration (gateway.budgets); change it there'
      : 'the bootstrap file; change it there, it is applied at the next start';
  return new GatewayError(ErrorCode.BudgetReadOnly, `Budget '${id}' comes from ${where}.`, {
    param: 'id',
  });
}
