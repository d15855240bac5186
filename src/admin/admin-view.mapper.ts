import type { ApiKey } from '../storage/api-key.types.js';
import type {
  NewTenant,
  RateLimitSettings,
  Tenant,
  TenantSettings,
} from '../storage/tenant.types.js';
import type { ApiKeyView, ApiKeyState } from './dto/api-key.view.js';
import type { CreateTenantDto } from './dto/create-tenant.dto.js';
import type { RateLimitsDto } from './dto/rate-limits.dto.js';
import type { TenantSettingsDto } from './dto/tenant-settings.dto.js';
import type { TenantView } from './dto/tenant.view.js';
import type { SettingsChange, TenantUpdate } from './tenants-admin.service.js';
import type { UpdateTenantDto } from './dto/update-tenant.dto.js';

/*
 * Between the admin API's snake_case JSON and the storage layer's types. Secrets only ever flow
 * inwards: no view below has a field for a credential, a key hash or a plaintext key.
 */

export function toTenantView(tenant: Tenant): TenantView {
  return {
    object: 'tenant',
    id: tenant.id,
    name: tenant.name,
    status: tenant.status,
    region: tenant.region,
    tags: { ...tenant.tags },
    settings: toSettingsView(tenant.settings),
    credential_providers: [...tenant.credentialProviders].sort(),
    created_at: tenant.createdAt.toISOString(),
    updated_at: tenant.updatedAt.toISOString(),
  };
}

export function toApiKeyView(key: ApiKey, now = Date.now()): ApiKeyView {
  return {
    object: 'api_key',
    id: key.id,
    tenant_id: key.tenantId,
    name: key.name,
    display_prefix: key.displayPrefix,
    masked_key: `${key.displayPrefix}…`,
    scopes: [...key.scopes],
    status: keyState(key, now),
    created_at: key.createdAt.toISOString(),
    expires_at: iso(key.expiresAt),
    revoked_at: iso(key.revokedAt),
    last_used_at: iso(key.lastUsedAt),
    replaced_by: key.replacedBy,
    rate_limits: key.rateLimits === null ? null : toRateLimitsView(key.rateLimits),
  };
}

/** `rate_limits` as written (null: no override) to the storage shape. */
export function toRateLimitSettings(dto: RateLimitsDto | null): RateLimitSettings | null {
  if (dto === null) return null;
  const limits: RateLimitSettings = {};
  if (typeof dto.requests_per_minute === 'number') {
    limits.requestsPerMinute = dto.requests_per_minute;
  }
  if (typeof dto.tokens_per_minute === 'number') limits.tokensPerMinute = dto.tokens_per_minute;
  return limits;
}

function toRateLimitsView(limits: RateLimitSettings): RateLimitsDto {
  const view: RateLimitsDto = {};
  if (limits.requestsPerMinute !== undefined) view.requests_per_minute = limits.requestsPerMinute;
  if (limits.tokensPerMinute !== undefined) view.tokens_per_minute = limits.tokensPerMinute;
  return view;
}

export function keyState(key: ApiKey, now = Date.now()): ApiKeyState {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && key.expiresAt.getTime() <= now) return 'expired';
  return 'active';
}

export function toNewTenant(dto: CreateTenantDto): NewTenant {
  return {
    id: dto.id,
    name: dto.name,
    status: dto.status,
    region: dto.region ?? null,
    tags: dto.tags,
    settings: dto.settings ? fromSettingsDto(dto.settings) : undefined,
    credentials: dto.credentials ? fromCredentials(dto.credentials) : undefined,
  };
}

export function toTenantUpdate(dto: UpdateTenantDto): TenantUpdate {
  const update: TenantUpdate = {};
  if (dto.name !== undefined) update.name = dto.name;
  if (dto.status !== undefined) update.status = dto.status;
  if (dto.region !== undefined) update.region = dto.region;
  if (dto.tags !== undefined) update.tags = dto.tags;
  if (dto.settings !== undefined) {
    update.settings = dto.settings === null ? null : settingsChange(dto.settings);
  }
  if (dto.credentials !== undefined) update.credentials = fromCredentials(dto.credentials);
  return update;
}

/** Settings as given (create, bootstrap): null and absent both mean "the default". */
export function fromSettingsDto(dto: TenantSettingsDto): TenantSettings {
  const settings: TenantSettings = {};
  for (const [field, value] of Object.entries(settingsChange(dto))) {
    if (value !== null && value !== undefined) Object.assign(settings, { [field]: value });
  }
  return settings;
}

/**
 * Credential field names as the admin API takes them (`api_key`) become the configuration's
 * kebab-case (`api-key`), the form the storage layer and provider settings use.
 */
export function fromCredentials<T extends Record<string, string> | null>(
  credentials: Record<string, T>,
): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [provider, fields] of Object.entries(credentials)) {
    out[provider] = (
      fields === null
        ? null
        : Object.fromEntries(Object.entries(fields).map(([k, v]) => [k.replace(/_/g, '-'), v]))
    ) as T;
  }
  return out;
}

function settingsChange(dto: TenantSettingsDto): SettingsChange {
  const change: SettingsChange = {};
  if (dto.pii_action !== undefined) change.piiAction = dto.pii_action;
  if (dto.pii_types !== undefined) {
    change.piiTypes = dto.pii_types === null ? null : [...new Set(dto.pii_types)];
  }
  if (dto.pii_custom_patterns !== undefined) {
    change.piiCustomPatterns =
      dto.pii_custom_patterns === null ? null : { ...dto.pii_custom_patterns };
  }
  if (dto.allowed_providers !== undefined) {
    change.allowedProviders = dto.allowed_providers === null ? null : [...dto.allowed_providers];
  }
  if (dto.rate_limits !== undefined) change.rateLimits = toRateLimitSettings(dto.rate_limits);
  return change;
}

function toSettingsView(settings: TenantSettings): TenantSettingsDto {
  const view: TenantSettingsDto = {};
  if (settings.piiAction !== undefined) view.pii_action = settings.piiAction;
  if (settings.piiTypes !== undefined) view.pii_types = [...settings.piiTypes];
  if (settings.piiCustomPatterns !== undefined) {
    view.pii_custom_patterns = { ...settings.piiCustomPatterns };
  }
  if (settings.rateLimits !== undefined) view.rate_limits = toRateLimitsView(settings.rateLimits);
  if (settings.allowedProviders !== undefined) {
    view.allowed_providers = [...settings.allowedProviders];
  }
  return view;
}

function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}
