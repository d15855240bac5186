import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode } from '../common/errors/error-code.js';
import { GatewayError } from '../common/errors/gateway-error.js';
import { ApiKeyRepository } from './api-key.repository.js';
import type { ApiKey, ApiKeyPatch, ApiKeyRecord, NewApiKey } from './api-key.types.js';
import type { RateLimitSettings } from './tenant.types.js';
import { isForeignKeyViolation, isUniqueViolation } from './constraint-violation.js';
import { DATABASE, type GatewayDatabase } from './database.types.js';
import { toApiKey, toApiKeyRecord, toEpochMs } from './storage-row.mapper.js';

/** {@link ApiKeyRepository} on the gateway's database, SQLite or PostgreSQL alike. */
@Injectable()
export class KyselyApiKeyRepository extends ApiKeyRepository {
  constructor(@Inject(DATABASE) private readonly db: GatewayDatabase) {
    super();
  }

  async insert(key: NewApiKey): Promise<ApiKey> {
    const row = {
      id: key.id,
      tenant_id: key.tenantId,
      name: key.name,
      hash: key.hash,
      display_prefix: key.displayPrefix,
      scopes: JSON.stringify(key.scopes),
      created_at: Date.now(),
      expires_at: toEpochMs(key.expiresAt),
      revoked_at: null,
      last_used_at: null,
      replaced_by: null,
      rate_limits: rateLimitsColumn(key.rateLimits ?? null),
    };
    try {
      await this.db.insertInto('api_keys').values(row).execute();
    } catch (err) {
      if (isForeignKeyViolation(err)) {
        throw new GatewayError(ErrorCode.TenantNotFound, `There is no tenant '${key.tenantId}'.`, {
          param: 'tenant',
        });
      }
      if (isUniqueViolation(err)) {
        throw new GatewayError(
          ErrorCode.InvalidRequest,
          'An API key with this id or this value is already registered.',
        );
      }
      throw err;
    }
    return toApiKey(row);
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.db
      .selectFrom('api_keys')
      .innerJoin('tenants', 'tenants.id', 'api_keys.tenant_id')
      .selectAll('api_keys')
      .select([
        'tenants.status as tenant_status',
        'tenants.region as tenant_region',
        'tenants.tags as tenant_tags',
        'tenants.settings as tenant_settings',
      ])
      .where('api_keys.hash', '=', hash)
      .executeTakeFirst();
    return row && toApiKeyRecord(row);
  }

  async get(id: string): Promise<ApiKey | undefined> {
    const row = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toApiKey(row);
  }

  async listByTenant(tenantId: string): Promise<ApiKey[]> {
    const rows = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    return rows.map(toApiKey);
  }

  async revoke(id: string, at: Date): Promise<ApiKey | undefined> {
    const row = await this.db
      .updateTable('api_keys')
      .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.val(toEpochMs(at))) }))
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row && toApiKey(row);
  }

  async update(id: string, patch: ApiKeyPatch): Promise<ApiKey | undefined> {
    const set: { name?: string; rate_limits?: string | null } = {};
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.rateLimits !== undefined) set.rate_limits = rateLimitsColumn(patch.rateLimits);
    if (Object.keys(set).length === 0) return this.get(id);
    const row = await this.db
      .updateTable('api_keys')
      .set(set)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row && toApiKey(row);
  }

  /**
   * Rotation never lengthens a key's life: when it already expires before `expiresAt`, that
   * earlier expiry stays.
   */
  async markRotated(id: string, replacedBy: string, expiresAt: Date): Promise<ApiKey | undefined> {
    const graceEnd = toEpochMs(expiresAt);
    const row = await this.db
      .updateTable('api_keys')
      .set((eb) => ({
        replaced_by: replacedBy,
        expires_at: eb
          .case()
          .when(eb.and([eb('expires_at', 'is not', null), eb('expires_at', '<', graceEnd)]))
          .then(eb.ref('expires_at'))
          .else(eb.val(graceEnd))
          .end(),
      }))
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row && toApiKey(row);
  }

  /**
   * One transaction per batch. Times only move forward: a late batch (another replica's, or an
   * older flush) never overwrites a more recent use.
   */
  async touchLastUsed(uses: readonly { id: string; at: Date }[]): Promise<void> {
    const latest = new Map<string, number>();
    for (const { id, at } of uses) {
      const ms = toEpochMs(at);
      latest.set(id, Math.max(ms, latest.get(id) ?? ms));
    }
    if (latest.size === 0) return;
    await this.db.transaction().execute(async (trx) => {
      for (const [id, ms] of latest) {
        await trx
          .updateTable('api_keys')
          .set({ last_used_at: ms })
          .where('id', '=', id)
          .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', ms)]))
          .execute();
      }
    });
  }
}

function rateLimitsColumn(limits: RateLimitSettings | null): string | null {
  return limits === null ? null : JSON.stringify(limits);
}
