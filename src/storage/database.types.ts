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

/** Token counts and money (integer nano-USD) a usage row sums. */
export interface UsageMeasures {
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  cost_nusd: number;
}

/** One settled call (contract 11.2). */
export interface UsageRecordsTable extends UsageMeasures {
  created_at: EpochMs;
  trace_id: string;
  tenant_id: string;
  key_id: string | null;
  provider: string;
  model: string;
  cache_write_tokens: number;
  reasoning_tokens: number;
  /** 0 or 1. */
  estimated: number;
  /** 0 or 1. */
  priced: number;
  status: number;
  tags: string;
}

/** One cost tag of a settled call, with the call's measures. */
export interface UsageRecordTagsTable extends UsageMeasures {
  created_at: EpochMs;
  tenant_id: string;
  key_id: string | null;
  provider: string;
  model: string;
  tag: string;
  estimated: number;
  priced: number;
}

/** Calls summed per UTC hour or day (`bucket`: its start), tenant, key ('' for none), provider, model. */
export interface UsageRollupTable extends UsageMeasures {
  bucket: EpochMs;
  tenant_id: string;
  key_id: string;
  provider: string;
  model: string;
  requests: number;
  estimated_requests: number;
  unpriced_requests: number;
}

/** The same per tag. */
export interface UsageRollupTagsTable extends UsageRollupTable {
  tag: string;
}

export interface BudgetsTable {
  id: string;
  tenant_id: string;
  key_id: string | null;
  period: 'day' | 'week' | 'month';
  limit_usd: number;
  soft_limit_pct: number;
  /** 0 or 1. */
  enabled: number;
  source: 'api' | 'bootstrap';
  created_at: EpochMs;
  updated_at: EpochMs;
}

/** A stored price, USD per million tokens. */
export interface PricingTable {
  provider: string;
  model: string;
  input: number;
  output: number;
  cached_input: number | null;
  cache_write: number | null;
  updated_at: EpochMs;
}

/** Every table the gateway owns, as Kysely sees them. */
export interface DatabaseSchema {
  tenants: TenantsTable;
  api_keys: ApiKeysTable;
  policies: PoliciesTable;
  policy_version: PolicyVersionTable;
  audit_events: AuditEventsTable;
  audit_checkpoints: AuditCheckpointsTable;
  usage_records: UsageRecordsTable;
  usage_record_tags: UsageRecordTagsTable;
  usage_hourly: UsageRollupTable;
  usage_hourly_tags: UsageRollupTagsTable;
  usage_daily: UsageRollupTable;
  usage_daily_tags: UsageRollupTagsTable;
  budgets: BudgetsTable;
  pricing: PricingTable;
  metering_version: PolicyVersionTable;
}

/** The query builder injected under {@link DATABASE}. */
export type GatewayDatabase = Kysely<DatabaseSchema>;

/** DI token of the {@link GatewayDatabase} (a Kysely instance, migrated before anything reads). */
export const DATABASE = Symbol('DATABASE');

/** DI token of the `DatabaseTarget` (database-target.ts) the database was opened from. */
export const DATABASE_TARGET = Symbol('DATABASE_TARGET');
