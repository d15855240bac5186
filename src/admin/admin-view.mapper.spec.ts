import { describe, expect, it } from '@jest/globals';
import type { ApiKey, ApiKeyRecord } from '../storage/api-key.types.js';
import type { Tenant } from '../storage/tenant.types.js';
import { validateInput } from './admin-input.pipe.js';
import {
  fromCredentials,
  toApiKeyView,
  toNewTenant,
  toTenantUpdate,
  toTenantView,
} from './admin-view.mapper.js';
import { CreateTenantDto } from './dto/create-tenant.dto.js';
import { UpdateTenantDto } from './dto/update-tenant.dto.js';

const CREATED = new Date('2025-01-02T03:04:05.000Z');

const KEY: ApiKey = {
  id: 'key_0123456789abcdef',
  tenantId: 'acme',
  name: 'ci',
  displayPrefix: 'gw_3f9a',
  scopes: ['models:read'],
  createdAt: CREATED,
  expiresAt: null,
  revokedAt: null,
  lastUsedAt: null,
  replacedBy: null,
  rateLimits: null,
};

describe('admin view mapper', () => {
  it('shows a key masked, without its hash even when the record carries one', () => {
    const record: ApiKeyRecord = {
      ...KEY,
      hash: 'a'.repeat(64),
      tenantStatus: 'active',
      tenantRegion: 'eu',
      tenantTags: { team: 'search' },
      tenantSettings: {},
    };
    const view = toApiKeyView(record);
    expect(view).toEqual({
      object: 'api_key',
      id: KEY.id,
      tenant_id: 'acme',
      name: 'ci',
      display_prefix: 'gw_3f9a',
      masked_key: 'gw_3f9a…',
      scopes: ['models:read'],
      status: 'active',
      created_at: '2025-01-02T03:04:05.000Z',
      expires_at: null,
      revoked_at: null,
      last_used_at: null,
      replaced_by: null,
      rate_limits: null,
    });
    expect(JSON.stringify(view)).not.toContain('a'.repeat(64));
    expect(toApiKeyView({ ...KEY, rateLimits: { tokensPerMinute: 9 } }).rate_limits).toEqual({
      tokens_per_minute: 9,
    });
  });

  it('derives a key status from revoked_at and expires_at', () => {
    const now = CREATED.getTime();
    expect(toApiKeyView({ ...KEY, revokedAt: CREATED }, now).status).toBe('revoked');
    expect(toApiKeyView({ ...KEY, expiresAt: CREATED }, now).status).toBe('expired');
    expect(toApiKeyView({ ...KEY, expiresAt: new Date(now + 1000) }, now).status).toBe('active');
  });

  it('shows a tenant with the providers it holds credentials for, never the credentials', () => {
    const tenant: Tenant = {
      id: 'acme',
      name: 'Acme',
      status: 'active',
      region: 'eu',
      tags: { team: 'payments' },
      settings: {
        piiAction: 'REDACT',
        rateLimits: { requestsPerMinute: 60 },
        allowedProviders: ['openai'],
      },
      credentialProviders: ['openai', 'cohere'],
      createdAt: CREATED,
      updatedAt: CREATED,
    };
    expect(toTenantView(tenant)).toEqual({
      object: 'tenant',
      id: 'acme',
      name: 'Acme',
      status: 'active',
      region: 'eu',
      tags: { team: 'payments' },
      settings: {
        pii_action: 'REDACT',
        rate_limits: { requests_per_minute: 60 },
        allowed_providers: ['openai'],
      },
      credential_providers: ['cohere', 'openai'],
      created_at: '2025-01-02T03:04:05.000Z',
      updated_at: '2025-01-02T03:04:05.000Z',
    });
  });

  it('takes a new tenant in snake_case, credential fields in the configuration kebab-case', () => {
    const dto = validateInput(CreateTenantDto, {
      id: 'acme',
      name: 'Acme',
      settings: { pii_action: 'redact', rate_limits: { tokens_per_minute: 1000 } },
      credentials: { openai: { api_key: 'sk-test', base_url: 'https://example.test' } },
    });
    expect(toNewTenant(dto)).toEqual({
      id: 'acme',
      name: 'Acme',
      status: undefined,
      region: null,
      tags: undefined,
      settings: { piiAction: 'REDACT', rateLimits: { tokensPerMinute: 1000 } },
      credentials: { openai: { 'api-key': 'sk-test', 'base-url': 'https://example.test' } },
    });
  });

  it('turns a PATCH into an update: nulls clear, absent fields are left alone', () => {
    const dto = validateInput(UpdateTenantDto, {
      region: null,
      settings: { pii_action: null, allowed_providers: ['mock'] },
      credentials: { openai: null, cohere: { api_key: 'k' } },
    });
    expect(toTenantUpdate(dto)).toEqual({
      region: null,
      settings: { piiAction: null, allowedProviders: ['mock'] },
      credentials: { openai: null, cohere: { 'api-key': 'k' } },
    });
    expect(toTenantUpdate(validateInput(UpdateTenantDto, { settings: null }))).toEqual({
      settings: null,
    });
    expect(fromCredentials({})).toEqual({});
  });
});
