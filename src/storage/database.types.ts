import type { ColumnType, Kysely } from 'kysely';
import type { PolicySource, PolicyStatus } from '../governance/policy/policy.types.js';
import type { TenantStatus } from './tenant.types.js';

/*
 * Row shapes as stored, shared by both dialects. Times are epoch milliseconds in BIGINT columns:
 * numbers compare the same way in SQLite and PostgreSQL whatever the collation, and the pool
 * parses PostgreSQL's int8 back into numbers (see database.factory.ts). JSON is stored as text so
 * the same statements run on both.
 */

/** Epoch milliseconds (BIGINT). */
export type EpochMs = number;

export interface TenantsTable {
  id: string;
  name: string;
  status: TenantStatus;
  region: string | null;
  /** JSON object of string tags. */
  tags: string;
  /** JSON of the tenant settings. */
  settings: string;
  /** JSON object: provider id -> CredentialCipher ciphertext of that provider's fields. */
  credentials: string;
  created_at: EpochMs;
  updated_at: EpochMs;
}

export interface ApiKeysTable {
  id: string;
  tenant_id: string;
  name: string;
  /** SHA-256 of the plaintext key, lowercase hex. */
  hash: string;
  display_prefix: string;
  /** JSON array of scopes. */
  scopes: string;
  created_at: EpochMs;
  expires_at: ColumnType<EpochMs | null, EpochMs | null | undefined, EpochMs | null>;
  revoked_at: ColumnType<EpochMs | null, EpochMs | null | undefined, EpochMs | null>;
  last_used_at: ColumnType<EpochMs | null, EpochMs | null | undefined, EpochMs | null>;
  replaced_by: ColumnType<string | null, string | null | undefined, string | null>;
  /** JSON of the key's rate-limit overrides; null: the configured defaults (0005). */
  rate_limits: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface PoliciesTable {
  id: string;
  /** The governed tenant's id (not a foreign key: it may be created later); null: global. */
  tenant: string | null;
  status: PolicyStatus;
  /** Configuration policies are never stored. */
  source: Exclude<PolicySource, 'config'>;
  /** The DSL's YAML text, verbatim. */
  dsl: string;
  created_at: EpochMs;
  updated_at: EpochMs;
}

/** One row (id 1): the number every policy write advances, polled by replicas. */
export interface PolicyVersionTable {
  id: number;
  version: number;
}

/** One audit record (contract 12); `timestamp` is the record's ISO-8601 text. */
export interface AuditEventsTable {
  writer: string;
  seq: number;
  event_id: string;
  timestamp: string;
  tenant: string | null;
  key_id: string | null;
  event_type: string;
  /** The payload's `trace_id`, for lookups; not part of the record. */
  trace_id: string | null;
  /** JSON of the payload. */
  payload: string;
  prev_hash: string | null;
  hash: string;
  hmac: string;
}

/** A signed chain head. */
export interface AuditCheckpointsTable {
  writer: string;
  seq: number;
  hash: string;
  timestamp: string;
  key_id: string;
  signature: string;
}

/** Every table the gateway owns, as Kysely sees them. */
export interface DatabaseSchema {
  tenants: TenantsTable;
  api_keys: ApiKeysTable;
  policies: PoliciesTable;
  policy_version: PolicyVersionTable;
  audit_events: AuditEventsTable;
  audit_checkpoints: AuditCheckpointsTable;
}

/** The query builder injected under {@link DATABASE}. */
export type GatewayDatabase = Kysely<DatabaseSchema>;

/** DI token of the {@link GatewayDatabase} (a Kysely instance, migrated before anything reads). */
export const DATABASE = Symbol('DATABASE');

/** DI token of the `DatabaseTarget` (database-target.ts) the database was opened from. */
export const DATABASE_TARGET = Symbol('DATABASE_TARGET');
