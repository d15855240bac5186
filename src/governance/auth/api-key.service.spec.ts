import { jest } from '@jest/globals';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import type { GatewayConfig } from '../../config/gateway-config.types.js';
import { ApiKeyRepository } from '../../storage/api-key.repository.js';
import type { ApiKey, ApiKeyPatch, ApiKeyRecord, NewApiKey } from '../../storage/api-key.types.js';
import { TenantRepository } from '../../storage/tenant.repository.js';
import type { Tenant } from '../../storage/tenant.types.js';
import { hashApiKey } from './api-key.secret.js';
import { ApiKeyService } from './api-key.service.js';
import { InProcessInvalidationBus } from './key-invalidation.bus.js';
import type { LastUsedRecorder } from './last-used.recorder.js';

/** In-memory stand-ins at the storage ports; the real adapters have their own suite. */
class MemoryKeys extends ApiKeyRepository {
  readonly rows = new Map<string, ApiKey & { hash: string }>();
  lookups = 0;
  constructor(private readonly tenants: MemoryTenants) {
    super();
  }
  insert(k: NewApiKey): Promise<ApiKey> {
    const row = {
      ...k,
      scopes: [...k.scopes],
      createdAt: new Date(),
      revokedAt: null,
      lastUsedAt: null,
      replacedBy: null,
      rateLimits: k.rateLimits ?? null,
    };
    this.rows.set(k.id, row);
    return Promise.resolve(strip(row));
  }
  findByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    this.lookups += 1;
    const row = [...this.rows.values()].find((r) => r.hash === hash);
    if (!row) return Promise.resolve(undefined);
    const tenant = this.tenants.rows.get(row.tenantId)!;
    return Promise.resolve({
      ...row,
      tenantStatus: tenant.status,
      tenantRegion: tenant.region,
      tenantTags: tenant.tags,
      tenantSettings: tenant.settings,
    });
  }
  get(id: string) {
    const row = this.rows.get(id);
    return Promise.resolve(row ? strip(row) : undefined);
  }
  listByTenant(tenantId: string) {
    return Promise.resolve(
      [...this.rows.values()].filter((r) => r.tenantId === tenantId).map(strip),
    );
  }
  revoke(id: string, at: Date) {
    const row = this.rows.get(id);
    if (!row) return Promise.resolve(undefined);
    const next = { ...row, revokedAt: row.revokedAt ?? at };
    this.rows.set(id, next);
    return Promise.resolve(strip(next));
  }
  update(id: string, patch: ApiKeyPatch) {
    const row = this.rows.get(id);
    if (!row) return Promise.resolve(undefined);
    const next = { ...row, ...patch };
    this.rows.set(id, next);
    return Promise.resolve(strip(next));
  }
  markRotated(id: string, replacedBy: string, expiresAt: Date) {
    const row = this.rows.get(id);
    if (!row) return Promise.resolve(undefined);
    const next = { ...row, replacedBy, expiresAt };
    this.rows.set(id, next);
    return Promise.resolve(strip(next));
  }
  touchLastUsed(): Promise<void> {
    return Promise.resolve();
  }
}

function strip(row: ApiKey & { hash: string }): ApiKey {
  const { hash: _hash, ...key } = row;
  return key;
}

class MemoryTenants extends TenantRepository {
  readonly rows = new Map<string, Tenant>();
  add(id: string) {
    const now = new Date();
    this.rows.set(id, {
      id,
      name: id,
      status: 'active',
      region: null,
      tags: {},
      settings: {},
      credentialProviders: [],
      createdAt: now,
      updatedAt: now,
    });
  }
  setStatus(id: string, status: 'active' | 'suspended') {
    this.rows.set(id, { ...this.rows.get(id)!, status });
  }
  create(): Promise<Tenant> {
    throw new Error('unused');
  }
  get(id: string) {
    return Promise.resolve(this.rows.get(id));
  }
  list() {
    return Promise.resolve([...this.rows.values()]);
  }
  update() {
    return Promise.resolve(undefined);
  }
  delete() {
    return Promise.resolve(false);
  }
  credentialsFor() {
    return Promise.resolve(undefined);
  }
  allCredentials() {
    return Promise.resolve({});
  }
}

const config = {
  auth: {
    keyCacheTtlMs: 60_000,
    rotationGraceSeconds: 3600,
    lastUsedFlushMs: 1000,
    required: true,
  },
} as unknown as GatewayConfig;

describe(ApiKeyService.name, () => {
  let tenants: MemoryTenants;
  let keys: MemoryKeys;
  let bus: InProcessInvalidationBus;
  let recorded: string[];
  let service: ApiKeyService;

  beforeEach(() => {
    tenants = new MemoryTenants();
    tenants.add('acme');
    keys = new MemoryKeys(tenants);
    bus = new InProcessInvalidationBus();
    recorded = [];
    const lastUsed = { record: (id: string) => recorded.push(id) } as unknown as LastUsedRecorder;
    service = new ApiKeyService(keys, tenants, bus, lastUsed, config);
    service.onModuleInit();
  });

  const refusal = async (promise: Promise<unknown>): Promise<GatewayError> => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GatewayError);
    return error as GatewayError;
  };

  it('issues gw_ + 40 hex keys, stores only the SHA-256, and verifies them', async () => {
    const { key, plaintext } = await service.create('acme', { name: 'ci' });
    expect(plaintext).toMatch(/^gw_[0-9a-f]{40}$/);
    expect(key.displayPrefix).toBe(plaintext.slice(0, 7));
    const stored = keys.rows.get(key.id)!;
    expect(stored.hash).toBe(hashApiKey(plaintext));
    expect(JSON.stringify(stored)).not.toContain(plaintext);
    const identity = await service.verify(plaintext);
    expect(identity).toEqual({
      tenantId: 'acme',
      keyId: key.id,
      scopes: ['completions:write', 'embeddings:write', 'models:read'],
      // What governance reads of the tenant comes with the key, from the same read.
      tenant: { id: 'acme', region: null, tags: {}, settings: {} },
      rateLimits: null,
    });
    expect(recorded).toEqual([key.id]);
  });

  it('refuses to issue a key for an unknown tenant', async () => {
    expect((await refusal(service.create('ghost', { name: 'x' }))).code).toBe(
      ErrorCode.TenantNotFound,
    );
  });

  it.each(['gw_' + '0'.repeat(40), 'not-a-key', 'gw_XYZ', ''])(
    'answers an unknown or malformed key %j with invalid_api_key',
    async (plaintext) => {
      const error = await refusal(service.verify(plaintext));
      expect(error.code).toBe(ErrorCode.InvalidApiKey);
      expect(error.status).toBe(401);
    },
  );

  it('serves repeated verifications from the cache, without a database read', async () => {
    const { plaintext } = await service.create('acme', { name: 'hot' });
    await service.verify(plaintext);
    await service.verify(plaintext);
    await service.verify(plaintext);
    expect(keys.lookups).toBe(1);
  });

  it('stops a revoked key at once even though it was cached', async () => {
    const { key, plaintext } = await service.create('acme', { name: 'k' });
    await service.verify(plaintext);
    await service.revoke(key.id);
    expect((await refusal(service.verify(plaintext))).code).toBe(ErrorCode.ApiKeyRevoked);
  });

  it('answers an expired key with api_key_expired', async () => {
    const { plaintext } = await service.create('acme', {
      name: 'k',
      expiresAt: new Date(Date.now() - 1),
    });
    expect((await refusal(service.verify(plaintext))).code).toBe(ErrorCode.ApiKeyExpired);
  });

  it('answers a suspended tenant with 403 tenant_suspended once its change is announced', async () => {
    const { plaintext } = await service.create('acme', { name: 'k' });
    await service.verify(plaintext);
    tenants.setStatus('acme', 'suspended');
    await service.tenantChanged('acme');
    const error = await refusal(service.verify(plaintext));
    expect(error.code).toBe(ErrorCode.TenantSuspended);
    expect(error.status).toBe(403);
  });

  it('rotates: the new key works, the old one until its grace ends', async () => {
    const { key: old, plaintext: oldPlain } = await service.create('acme', {
      name: 'svc',
      scopes: ['models:read'],
    });
    const rotated = await service.rotate(old.id, 3600);
    expect(rotated.plaintext).not.toBe(oldPlain);
    expect(rotated.key.scopes).toEqual(['models:read']);
    expect(rotated.previous.replacedBy).toBe(rotated.key.id);
    expect(rotated.previous.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 3500_000);
    await expect(service.verify(oldPlain)).resolves.toMatchObject({ keyId: old.id });
    await expect(service.verify(rotated.plaintext)).resolves.toMatchObject({
      keyId: rotated.key.id,
    });

    const again = await service.rotate(rotated.key.id, 0);
    expect((await refusal(service.verify(rotated.plaintext))).code).toBe(ErrorCode.ApiKeyExpired);
    await expect(service.verify(again.plaintext)).resolves.toBeTruthy();
  });

  it('tells other replicas about revocations through the bus', async () => {
    const heard = jest.fn();
    bus.subscribe(heard);
    const { key } = await service.create('acme', { name: 'k' });
    await service.revoke(key.id);
    expect(heard).toHaveBeenCalledWith({ kind: 'key', keyId: key.id });
  });

  it('refuses unknown keys for revoke and rotate with api_key_not_found', async () => {
    expect((await refusal(service.revoke('key_nope'))).code).toBe(ErrorCode.ApiKeyNotFound);
    expect((await refusal(service.rotate('key_nope'))).code).toBe(ErrorCode.ApiKeyNotFound);
  });
});
