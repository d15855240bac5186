/** A tenant: the unit of isolation, attribution and policy (contract section 7). */
export type TenantStatus = 'active' | 'suspended';

export const PII_ACTIONS = ['LOG', 'REDACT', 'TOKENIZE', 'BLOCK'] as const;
export type PiiAction = (typeof PII_ACTIONS)[number];

/** Rate-limit overrides of a tenant or an API key; an absent field keeps the configured default. */
export interface RateLimitSettings {
  requestsPerMinute?: number;
  tokensPerMinute?: number;
}

/** Per-tenant settings; every field optional (absent means the installation's default). */
export interface TenantSettings {
  piiAction?: PiiAction;
  /** PII types detected for this tenant (the contract's spelling); absent: the installation's. */
  piiTypes?: string[];
  /** The tenant's own `label -> regex` PII patterns, reported as CUSTOM (checked when written). */
  piiCustomPatterns?: Record<string, string>;
  rateLimits?: RateLimitSettings;
  /** Provider ids this tenant may use; absent means all. */
  allowedProviders?: string[];
}

export interface Tenant {
  readonly id: string;
  readonly name: string;
  readonly status: TenantStatus;
  /** Data-residency region, e.g. `eu`; null when unset. */
  readonly region: string | null;
  readonly tags: Readonly<Record<string, string>>;
  readonly settings: TenantSettings;
  /**
   * Providers for which this tenant holds its own credentials. Only the names: the values are
   * encrypted at rest and never leave the storage layer except to the provider call that uses them.
   */
  readonly credentialProviders: readonly string[];
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** Provider id -> credential fields, e.g. `{ openai: { 'api-key': 'sk-...' } }`. */
export type TenantCredentials = Record<string, Record<string, string>>;

export interface NewTenant {
  /** Lowercase `[a-z0-9][a-z0-9-]{0,62}`; generated when absent. */
  id?: string;
  name: string;
  status?: TenantStatus;
  region?: string | null;
  tags?: Record<string, string>;
  settings?: TenantSettings;
  credentials?: TenantCredentials;
}

/** A partial update; `credentials` replaces the provider entries it names (null removes one). */
export interface TenantPatch {
  name?: string;
  status?: TenantStatus;
  region?: string | null;
  tags?: Record<string, string>;
  settings?: TenantSettings;
  credentials?: Record<string, Record<string, string> | null>;
}
