import type { RateLimitSettings, TenantSettings } from './tenant.types.js';

/** API key scopes (contract section 7). */
export const API_KEY_SCOPES = ['completions:write', 'embeddings:write', 'models:read'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/**
 * A stored API key. The plaintext (`gw_` + 40 hex) is shown once at creation and never stored:
 * only its SHA-256 (`hash`, hex) is. `displayPrefix` (e.g. `gw_3f9a`) lets people tell keys apart.
 */
export interface ApiKey {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly displayPrefix: string;
  readonly scopes: readonly ApiKeyScope[];
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
  readonly lastUsedAt: Date | null;
  /** Set on the old key when it was rotated: the key that replaced it. */
  readonly replacedBy: string | null;
  /** This key's own rate limits (contract 11.4); null: the configured per-key defaults. */
  readonly rateLimits: RateLimitSettings | null;
}

/**
 * What verification needs in one read: the key, its hash, and what governance needs of its tenant
 * (status, region, tags, settings), so a cached key costs the hot path no tenant read.
 */
export interface ApiKeyRecord extends ApiKey {
  readonly hash: string;
  readonly tenantStatus: 'active' | 'suspended';
  readonly tenantRegion: string | null;
  readonly tenantTags: Readonly<Record<string, string>>;
  readonly tenantSettings: TenantSettings;
}

export interface NewApiKey {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly hash: string;
  readonly displayPrefix: string;
  readonly scopes: readonly ApiKeyScope[];
  readonly expiresAt: Date | null;
  readonly rateLimits?: RateLimitSettings | null;
}

/** A partial update of a key's own settings; `rateLimits: null` returns it to the defaults. */
export interface ApiKeyPatch {
  readonly name?: string;
  readonly rateLimits?: RateLimitSettings | null;
}
