import type { Selectable } from 'kysely';
import type { StoredPolicy } from '../governance/policy/policy.types.js';
import type { ApiKey, ApiKeyRecord, ApiKeyScope } from './api-key.types.js';
import type { ApiKeysTable, EpochMs, PoliciesTable, TenantsTable } from './database.types.js';
import type { RateLimitSettings, Tenant, TenantSettings, TenantStatus } from './tenant.types.js';

/*
 * Rows to domain objects and back. Pure functions: JSON text columns are parsed here, epoch-ms
 * columns become Dates, and encrypted credentials surface only as their provider names.
 */

export type TenantRow = Selectable<TenantsTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type PolicyRow = Selectable<PoliciesTable>;

export function toTenant(row: TenantRow): Tenant {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    region: row.region,
    tags: parseJson<Record<string, string>>(row.tags),
    settings: parseJson<TenantSettings>(row.settings),
    credentialProviders: Object.keys(parseCredentialColumn(row.credentials)).sort(),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

export function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    displayPrefix: row.display_prefix,
    scopes: parseJson<ApiKeyScope[]>(row.scopes),
    createdAt: new Date(row.created_at),
    expiresAt: toDate(row.expires_at),
    revokedAt: toDate(row.revoked_at),
    lastUsedAt: toDate(row.last_used_at),
    replacedBy: row.replaced_by,
    rateLimits: row.rate_limits === null ? null : parseJson<RateLimitSettings>(row.rate_limits),
  };
}

export function toApiKeyRecord(
  row: ApiKeyRow & {
    tenant_status: TenantStatus;
    tenant_region: string | null;
    tenant_tags: string;
    tenant_settings: string;
  },
): ApiKeyRecord {
  return {
    ...toApiKey(row),
    hash: row.hash,
    tenantStatus: row.tenant_status,
    tenantRegion: row.tenant_region,
    tenantTags: parseJson<Record<string, string>>(row.tenant_tags),
    tenantSettings: parseJson<TenantSettings>(row.tenant_settings),
  };
}

export function toStoredPolicy(row: PolicyRow): StoredPolicy {
  return {
    id: row.id,
    tenant: row.tenant,
    status: row.status,
    dsl: row.dsl,
    source: row.source,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

/** The credentials column: provider id -> ciphertext. */
export function parseCredentialColumn(text: string): Record<string, string> {
  return parseJson<Record<string, string>>(text);
}

export function toEpochMs(date: Date): EpochMs;
export function toEpochMs(date: Date | null): EpochMs | null;
export function toEpochMs(date: Date | null): EpochMs | null {
  if (date === null) return null;
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new RangeError('Invalid Date given to storage');
  return ms;
}

function toDate(ms: EpochMs | null): Date | null {
  return ms === null ? null : new Date(ms);
}

function parseJson<T>(text: string): T {
  return JSON.parse(text) as T;
}
