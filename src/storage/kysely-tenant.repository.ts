import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode } from '../common/errors/error-code.js';
import { GatewayError } from '../common/errors/gateway-error.js';
import { isUniqueViolation } from './constraint-violation.js';
import { CredentialCipher } from './credential.cipher.js';
import { DATABASE, type GatewayDatabase } from './database.types.js';
import { generateTenantId, TENANT_ID_PATTERN } from './tenant-id.js';
import { TenantRepository } from './tenant.repository.js';
import type { NewTenant, Tenant, TenantCredentials, TenantPatch } from './tenant.types.js';
import { parseCredentialColumn, toTenant } from './storage-row.mapper.js';

/** Provider ids are lowercase kebab (house style); this also keeps `__proto__` out of the map. */
const PROVIDER_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** {@link TenantRepository} on the gateway's database, SQLite or PostgreSQL alike. */
@Injectable()
export class KyselyTenantRepository extends TenantRepository {
  constructor(
    @Inject(DATABASE) private readonly db: GatewayDatabase,
    private readonly cipher: CredentialCipher,
  ) {
    super();
  }

  async create(tenant: NewTenant): Promise<Tenant> {
    const id = tenant.id ?? generateTenantId(tenant.name);
    if (!TENANT_ID_PATTERN.test(id)) {
      throw new GatewayError(
        ErrorCode.InvalidRequest,
        'A tenant id is 1 to 63 lowercase letters, digits and dashes, starting with a letter or digit.',
        { param: 'id' },
      );
    }
    const now = Date.now();
    const row = {
      id,
      name: tenant.name,
      status: tenant.status ?? 'active',
      region: tenant.region ?? null,
      tags: JSON.stringify(tenant.tags ?? {}),
      settings: JSON.stringify(tenant.settings ?? {}),
      credentials: JSON.stringify(this.sealAll(id, {}, tenant.credentials ?? {})),
      created_at: now,
      updated_at: now,
    };
    try {
      await this.db.insertInto('tenants').values(row).execute();
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new GatewayError(ErrorCode.TenantExists, `A tenant with id '${id}' already exists.`, {
          param: 'id',
        });
      }
      throw err;
    }
    return toTenant(row);
  }

  async get(id: string): Promise<Tenant | undefined> {
    const row = await this.db
      .selectFrom('tenants')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toTenant(row);
  }

  async list(page: { limit: number; after?: string }): Promise<Tenant[]> {
    if (!Number.isInteger(page.limit) || page.limit < 1) {
      throw new GatewayError(ErrorCode.InvalidRequest, 'limit must be a positive integer.', {
        param: 'limit',
      });
    }
    let query = this.db.selectFrom('tenants').selectAll().orderBy('id').limit(page.limit);
    if (page.after !== undefined) query = query.where('id', '>', page.after);
    const rows = await query.execute();
    return rows.map(toTenant);
  }

  update(id: string, patch: TenantPatch): Promise<Tenant | undefined> {
    return this.db.transaction().execute(async (trx) => {
      // Writing first takes the row lock (PostgreSQL) or the write lock (SQLite) before the read,
      // so concurrent credential merges cannot lose each other's entries.
      const now = Date.now();
      const touched = await trx
        .updateTable('tenants')
        .set({ updated_at: now })
        .where('id', '=', id)
        .executeTakeFirst();
      if (touched.numUpdatedRows === 0n) return undefined;
      const current = await trx
        .selectFrom('tenants')
        .select('credentials')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      const row = await trx
        .updateTable('tenants')
        .set({
          ...(patch.name !== undefined && { name: patch.name }),
          ...(patch.status !== undefined && { status: patch.status }),
          ...(patch.region !== undefined && { region: patch.region }),
          ...(patch.tags !== undefined && { tags: JSON.stringify(patch.tags) }),
          ...(patch.settings !== undefined && { settings: JSON.stringify(patch.settings) }),
          ...(patch.credentials !== undefined && {
            credentials: JSON.stringify(
              this.sealAll(id, parseCredentialColumn(current.credentials), patch.credentials),
            ),
          }),
          updated_at: now,
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return toTenant(row);
    });
  }

  async delete(id: string): Promise<boolean> {
    // api_keys rows go with it: ON DELETE CASCADE (SQLite enforces it with foreign_keys=ON).
    const result = await this.db.deleteFrom('tenants').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async credentialsFor(id: string, provider: string): Promise<Record<string, string> | undefined> {
    const sealed = await this.sealedCredentials(id);
    if (sealed === undefined || !Object.hasOwn(sealed, provider)) return undefined;
    return this.open(id, provider, sealed[provider]);
  }

  async allCredentials(id: string): Promise<TenantCredentials> {
    const sealed = (await this.sealedCredentials(id)) ?? {};
    const credentials: TenantCredentials = {};
    for (const [provider, value] of Object.entries(sealed)) {
      credentials[provider] = this.open(id, provider, value);
    }
    return credentials;
  }

  private async sealedCredentials(id: string): Promise<Record<string, string> | undefined> {
    const row = await this.db
      .selectFrom('tenants')
      .select('credentials')
      .where('id', '=', id)
      .executeTakeFirst();
    return row && parseCredentialColumn(row.credentials);
  }

  /** Applies `changes` (null removes a provider) to the sealed entries, encrypting new ones. */
  private sealAll(
    tenantId: string,
    sealed: Record<string, string>,
    changes: Record<string, Record<string, string> | null>,
  ): Record<string, string> {
    const next = { ...sealed };
    for (const [provider, fields] of Object.entries(changes)) {
      if (!PROVIDER_ID_PATTERN.test(provider)) {
        throw new GatewayError(
          ErrorCode.InvalidRequest,
          `Credentials are keyed by provider id (lowercase letters, digits and dashes); '${provider.slice(0, 64)}' is not one.`,
          { param: 'credentials' },
        );
      }
      if (fields === null) {
        delete next[provider];
      } else {
        next[provider] = this.cipher.encrypt(JSON.stringify(fields), context(tenantId, provider));
      }
    }
    return next;
  }

  private open(tenantId: string, provider: string, value: string): Record<string, string> {
    return JSON.parse(this.cipher.decrypt(value, context(tenantId, provider))) as Record<
      string,
      string
    >;
  }
}

/** Binds each ciphertext to its tenant and provider (GCM additional authenticated data). */
function context(tenantId: string, provider: string): string {
  return `tenant:${tenantId}/provider:${provider}`;
}
