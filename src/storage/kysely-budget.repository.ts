import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode } from '../common/errors/error-code.js';
import { GatewayError } from '../common/errors/gateway-error.js';
import type { Budget, BudgetInput } from '../governance/metering/budgets/budget.types.js';
import { BudgetRepository } from './budget.repository.js';
import { isUniqueViolation } from './constraint-violation.js';
import { type BudgetsTable, DATABASE, type GatewayDatabase } from './database.types.js';
import { bumpMeteringVersion, readMeteringVersion } from './metering-version.js';

/** {@link BudgetRepository} on the gateway's database, SQLite or PostgreSQL alike. */
@Injectable()
export class KyselyBudgetRepository extends BudgetRepository {
  constructor(@Inject(DATABASE) private readonly db: GatewayDatabase) {
    super();
  }

  async list(filter: { tenantId?: string } = {}): Promise<Budget[]> {
    let query = this.db.selectFrom('budgets').selectAll();
    if (filter.tenantId !== undefined) query = query.where('tenant_id', '=', filter.tenantId);
    const rows = await query.execute();
    return rows.map(toBudget).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async get(id: string): Promise<Budget | undefined> {
    const row = await this.db
      .selectFrom('budgets')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toBudget(row);
  }

  async insert(budget: BudgetInput): Promise<Budget> {
    const now = Date.now();
    const row = { ...toRow(budget), created_at: now, updated_at: now };
    try {
      await this.db.transaction().execute(async (trx) => {
        await trx.insertInto('budgets').values(row).execute();
        await bumpMeteringVersion(trx);
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new GatewayError(ErrorCode.BudgetExists, `Budget '${budget.id}' already exists.`, {
          param: 'id',
        });
      }
      throw err;
    }
    return toBudget(row);
  }

  update(id: string, budget: BudgetInput): Promise<Budget | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const { tenant_id, key_id, period, limit_usd, soft_limit_pct, enabled } = toRow(budget);
      const row = await trx
        .updateTable('budgets')
        .set({
          tenant_id,
          key_id,
          period,
          limit_usd,
          soft_limit_pct,
          enabled,
          updated_at: Date.now(),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      if (row === undefined) return undefined;
      await bumpMeteringVersion(trx);
      return toBudget(row);
    });
  }

  delete(id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx.deleteFrom('budgets').where('id', '=', id).executeTakeFirst();
      if (result.numDeletedRows === 0n) return false;
      await bumpMeteringVersion(trx);
      return true;
    });
  }

  version(): Promise<number> {
    return readMeteringVersion(this.db);
  }
}

function toRow(budget: BudgetInput): Omit<BudgetsTable, 'created_at' | 'updated_at'> {
  return {
    id: budget.id,
    tenant_id: budget.tenantId,
    key_id: budget.keyId,
    period: budget.period,
    limit_usd: budget.limitUsd,
    soft_limit_pct: budget.softLimitPct,
    enabled: budget.enabled ? 1 : 0,
    source: budget.source === 'bootstrap' ? 'bootstrap' : 'api',
  };
}

function toBudget(row: BudgetsTable): Budget {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    keyId: row.key_id,
    period: row.period,
    limitUsd: Number(row.limit_usd),
    softLimitPct: Number(row.soft_limit_pct),
    enabled: Number(row.enabled) === 1,
    source: row.source,
    createdAt: new Date(Number(row.created_at)),
    updatedAt: new Date(Number(row.updated_at)),
  };
}
