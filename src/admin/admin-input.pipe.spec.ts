import { describe, expect, it } from '@jest/globals';
import { ErrorCode } from '../common/errors/error-code.js';
import { GatewayError } from '../common/errors/gateway-error.js';
import { AdminInputPipe, validateInput } from './admin-input.pipe.js';
import { CreateApiKeyDto } from './dto/create-api-key.dto.js';
import { CreateTenantDto } from './dto/create-tenant.dto.js';
import { KeyIdParams } from './dto/key-id.params.js';
import { ListTenantsQuery } from './dto/list-tenants.query.js';
import { RotateApiKeyDto } from './dto/rotate-api-key.dto.js';
import { TenantIdParams } from './dto/tenant-id.params.js';
import { UpdateTenantDto } from './dto/update-tenant.dto.js';

function refusal(work: () => unknown): GatewayError {
  try {
    work();
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error('the input was accepted');
}

function invalid(dto: Parameters<typeof validateInput>[0], input: object) {
  const error = refusal(() => validateInput(dto, input));
  return { code: error.code, param: error.param, message: error.message };
}

describe(AdminInputPipe.name, () => {
  it('validates path parameters (null-prototype objects included)', () => {
    const params = Object.assign(Object.create(null) as object, { id: 'acme-1' });
    expect(new AdminInputPipe(TenantIdParams).transform(params)).toEqual({ id: 'acme-1' });
    for (const id of ['Acme', '-acme', 'a'.repeat(64), 'acme_1', '']) {
      expect(invalid(TenantIdParams, { id })).toMatchObject({
        code: ErrorCode.ValidationError,
        param: 'id',
      });
    }
    expect(invalid(KeyIdParams, { keyId: 'key 1' }).param).toBe('keyId');
  });

  it('converts and bounds the paging query', () => {
    const pipe = new AdminInputPipe(ListTenantsQuery);
    expect(pipe.transform({ limit: '5', after: 'acme' })).toEqual({ limit: 5, after: 'acme' });
    expect(pipe.transform({})).toEqual({});
    for (const limit of ['0', '101', 'ten', '1.5']) {
      expect(invalid(ListTenantsQuery, { limit }).param).toBe('limit');
    }
    expect(invalid(ListTenantsQuery, { after: 'Not An Id' }).param).toBe('after');
  });

  it('takes an absent optional body as empty, and refuses a body that is not an object', () => {
    const pipe = new AdminInputPipe(RotateApiKeyDto, { optionalBody: true });
    expect(pipe.transform(undefined)).toEqual({});
    expect(pipe.transform({ grace_seconds: 0 })).toEqual({ grace_seconds: 0 });
    expect(refusal(() => pipe.transform([])).code).toBe(ErrorCode.InvalidRequest);
    expect(invalid(RotateApiKeyDto, { grace_seconds: -1 }).param).toBe('grace_seconds');
    expect(invalid(RotateApiKeyDto, { grace_seconds: '60' }).param).toBe('grace_seconds');
  });

  it('refuses input nested deeper than the limit, however deep, as validation_error', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = { a: deep };
    const pipe = new AdminInputPipe(RotateApiKeyDto, { optionalBody: true });
    expect(refusal(() => pipe.transform({ grace_seconds: deep }))).toMatchObject({
      code: ErrorCode.ValidationError,
      param: 'grace_seconds',
    });
    expect(invalid(CreateTenantDto, { name: 'x', tags: deep })).toMatchObject({
      code: ErrorCode.ValidationError,
      param: 'tags',
      message: expect.stringContaining('64 levels'),
    });
  });
});

describe('admin request DTOs', () => {
  it('accepts a complete tenant, with a case-insensitive PII action', () => {
    const dto = validateInput(CreateTenantDto, {
      id: 'acme',
      name: 'Acme',
      status: 'suspended',
      region: 'eu-west-1',
      tags: { team: 'payments', 'cost/center': '42' },
      settings: {
        pii_action: 'Tokenize',
        rate_limits: { requests_per_minute: 60, tokens_per_minute: 10_000 },
        allowed_providers: ['openai', 'mock'],
      },
      credentials: { openai: { api_key: 'sk-test' } },
    });
    expect(dto.settings?.pii_action).toBe('TOKENIZE');
  });

  it('names the offending field of a bad tenant', () => {
    expect(invalid(CreateTenantDto, { name: 'x', id: 'Bad Id' }).param).toBe('id');
    expect(invalid(CreateTenantDto, {}).param).toBe('name');
    expect(invalid(CreateTenantDto, { name: 'x', status: 'paused' }).param).toBe('status');
    expect(invalid(CreateTenantDto, { name: 'x', settings: { pii_action: 'SHRED' } })).toEqual({
      code: ErrorCode.ValidationError,
      param: 'settings.pii_action',
      message: 'settings.pii_action must be one of LOG, REDACT, TOKENIZE, BLOCK',
    });
    const rate = { name: 'x', settings: { rate_limits: { requests_per_minute: 0 } } };
    expect(invalid(CreateTenantDto, rate).param).toBe('settings.rate_limits.requests_per_minute');
    const fraction = { name: 'x', settings: { rate_limits: { tokens_per_minute: 1.5 } } };
    expect(invalid(CreateTenantDto, fraction).param).toBe('settings.rate_limits.tokens_per_minute');
    const providers = { name: 'x', settings: { allowed_providers: ['OpenAI'] } };
    expect(invalid(CreateTenantDto, providers).param).toBe('settings.allowed_providers');
    expect(invalid(CreateTenantDto, { name: 'x', settings: { colour: 'red' } })).toMatchObject({
      code: ErrorCode.ValidationError,
      param: 'settings.colour',
    });
    expect(invalid(CreateTenantDto, { name: 'x', tags: { team: 1 } }).param).toBe('tags');
  });

  it('wants settings, rate limits and tags as objects, never arrays', () => {
    for (const settings of [[], [{ pii_action: 'BLOCK' }], 'strict', 1]) {
      for (const [dto, base] of [
        [CreateTenantDto, { name: 'x' }],
        [UpdateTenantDto, {}],
      ] as const) {
        expect(invalid(dto, { ...base, settings })).toEqual({
          code: ErrorCode.ValidationError,
          param: 'settings',
          message: 'settings must be an object',
        });
      }
    }
    expect(invalid(UpdateTenantDto, { settings: { rate_limits: [] } })).toEqual({
      code: ErrorCode.ValidationError,
      param: 'settings.rate_limits',
      message: 'settings.rate_limits must be an object',
    });
    for (const tags of [[], [['team', 'x']]]) {
      expect(invalid(CreateTenantDto, { name: 'x', tags }).param).toBe('tags');
      expect(invalid(UpdateTenantDto, { tags }).param).toBe('tags');
    }
    // null still clears on PATCH, and an empty object is still a valid (empty) change.
    expect(validateInput(UpdateTenantDto, { settings: null, tags: {} })).toBeDefined();
    expect(validateInput(UpdateTenantDto, { settings: { rate_limits: null } })).toBeDefined();
  });

  it('never echoes a credential value in an error', () => {
    const secret = 'sk-do-not-echo';
    for (const credentials of [
      { openai: secret },
      { openai: { api_key: 42 } },
      { OpenAI: { api_key: secret } },
      { openai: { 'API KEY': secret } },
      { openai: null },
    ]) {
      const error = invalid(CreateTenantDto, { name: 'x', credentials });
      expect(error).toMatchObject({ code: ErrorCode.ValidationError, param: 'credentials' });
      expect(error.message).not.toContain(secret);
    }
    // On PATCH, null removes a provider's credentials.
    expect(validateInput(UpdateTenantDto, { credentials: { openai: null } })).toBeDefined();
  });

  it('checks scopes and expiry of a new key', () => {
    expect(validateInput(CreateApiKeyDto, { scopes: ['models:read'] })).toBeDefined();
    expect(invalid(CreateApiKeyDto, { scopes: ['models:write'] })).toEqual({
      code: ErrorCode.ValidationError,
      param: 'scopes',
      message: 'scopes must hold only completions:write, embeddings:write, models:read',
    });
    expect(invalid(CreateApiKeyDto, { scopes: [] }).param).toBe('scopes');
    expect(invalid(CreateApiKeyDto, { expires_at: '2001-01-01T00:00:00Z' })).toEqual({
      code: ErrorCode.ValidationError,
      param: 'expires_at',
      message: 'expires_at must be in the future',
    });
    expect(invalid(CreateApiKeyDto, { expires_at: 'next tuesday' }).param).toBe('expires_at');
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect(validateInput(CreateApiKeyDto, { expires_at: future }).expires_at).toBe(future);
    expect(invalid(CreateApiKeyDto, { hash: 'x' })).toMatchObject({
      code: ErrorCode.UnsupportedCapability,
      param: 'hash',
    });
  });
});
