import { Inject, Injectable } from '@nestjs/common';
import type { Transaction } from 'kysely';
import { ErrorCode } from '../common/errors/error-code.js';
import { GatewayError } from '../common/errors/gateway-error.js';
import type { StoredPolicy } from '../governance/policy/policy.types.js';
import { isUniqueViolation } from './constraint-violation.js';
import { DATABASE, type DatabaseSchema, type GatewayDatabase } from './database.types.js';
import { type NewPolicy, PolicyRepository } from './policy.repository.js';
import { toStoredPolicy } from './storage-row.mapper.js';

/**
 * {@link PolicyRepository} on the gateway's database, SQLite or PostgreSQL alike. Each write
 * advances `policy_version` in its own transaction, so a replica that sees the new version also
 * sees the row. The version is bumped after the row write in every method: one lock order
 * (policy row, then version row) keeps concurrent writers on PostgreSQL from deadlocking.
 */
@Injectable()
export class KyselyPolicyRepository extends PolicyRepository {
  constructor(@Inject(DATABASE) private readonly db: GatewayDatabase) {
    super();
  }

  async list(filter: { tenant?: string | null } = {}): Promise<StoredPolicy[]> {
    let query = this.db.selectFrom('policies').selectAll();
    if (filter.tenant === null) query = query.where('tenant', 'is', null);
    else if (filter.tenant !== undefined) query = query.where('tenant', '=', filter.tenant);
    const rows = await query.execute();
    // Sorted here rather than by ORDER BY: PostgreSQL orders text by the database's collation
    // (en-US puts 'a' before 'B'), SQLite by bytes ('B' first); the order must not depend on the
    // backend, and this is the comparison the policy evaluator breaks ties with.
    return rows.map(toStoredPolicy).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async get(id: string): Promise<StoredPolicy | undefined> {
    const row = await this.db
      .selectFrom('policies')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toStoredPolicy(row);
  }

  async insert(policy: NewPolicy): Promise<StoredPolicy> {
    const now = Date.now();
    const row = {
      id: policy.id,
      tenant: policy.tenant,
      status: policy.status,
      source: policy.source,
      dsl: policy.dsl,
      created_at: now,
      updated_at: now,
    };
    try {
      await this.db.transaction().execute(async (trx) => {
        await trx.insertInto('policies').values(row).execute();
        await bumpVersion(trx);
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new GatewayError(ErrorCode.PolicyExists, `Policy '${policy.id}' already exists.`, {
          param: 'id',
        });
      }
      throw err;
    }
    return toStoredPolicy(row);
  }

  replace(id: string, policy: NewPolicy): Promise<StoredPolicy | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable('policies')
        .set({
          tenant: policy.tenant,
          status: policy.status,
          source: policy.source,
          dsl: policy.dsl,
          updated_at: Date.now(),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      if (row === undefined) return undefined;
      await bumpVersion(trx);
      return toStoredPolicy(row);
    });
  }

  delete(id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx.deleteFrom('policies').where('id', '=', id).executeTakeFirst();
      if (result.numDeletedRows === 0n) return false;
      await bumpVersion(trx);
      return true;
    });
  }

  async version(): Promise<number> {
    const row = await this.db
      .selectFrom('policy_version')
      .select('version')
      .where('id', '=', 1)
      .executeTakeFirstOrThrow();
    return row.version;
  }
}

/** Advances the policy version inside the caller's transaction (an atomic `version + 1`). */
async function bumpVersion(trx: Transaction<DatabaseSchema>): Promise<void> {
  await trx
    .updateTable('policy_version')
    .set((eb) => ({ version: eb('version', '+', 1) }))
    .where('id', '=', 1)
    .execute();
}
