import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config/gateway-config.types.js';
import { ApiKeyRepository } from '../../storage/api-key.repository.js';
import {
  API_KEY_SCOPES,
  type ApiKey,
  type ApiKeyPatch,
  type ApiKeyRecord,
  type ApiKeyScope,
} from '../../storage/api-key.types.js';
import type { RateLimitSettings } from '../../storage/tenant.types.js';
import { TenantRepository } from '../../storage/tenant.repository.js';
import type { TenantFacts } from '../pipeline/governance-context.js';
import { ApiKeyCache } from './api-key.cache.js';
import {
  displayPrefix,
  generateApiKey,
  generateKeyId,
  hashApiKey,
  isWellFormedKey,
  sameHash,
} from './api-key.secret.js';
import { KeyInvalidationBus } from './key-invalidation.bus.js';
import { LastUsedRecorder } from './last-used.recorder.js';

/** Who a verified key belongs to, and what it may do. */
export interface KeyIdentity {
  readonly tenantId: string;
  readonly keyId: string;
  readonly scopes: readonly ApiKeyScope[];
  /** The tenant as governance sees it, from the same (cached) read. */
  readonly tenant: TenantFacts;
  /** The key's own rate limits; null: the configured per-key defaults. */
  readonly rateLimits: RateLimitSettings | null;
}

/** A key as it is shown exactly once: at creation or rotation. */
export interface IssuedKey {
  readonly key: ApiKey;
  readonly plaintext: string;
}

export interface KeyOptions {
  name: string;
  scopes?: readonly ApiKeyScope[];
  expiresAt?: Date | null;
  rateLimits?: RateLimitSettings | null;
}

/**
 * API keys: issue (the plaintext once, only its SHA-256 stored), verify (cached, constant-time),
 * revoke and rotate (the old key lives on for a grace period). Contract section 7.
 */
@Injectable()
export class ApiKeyService implements OnModuleInit {
  private readonly cache: ApiKeyCache;

  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly tenants: TenantRepository,
    private readonly bus: KeyInvalidationBus,
    private readonly lastUsed: LastUsedRecorder,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {
    this.cache = new ApiKeyCache(config.auth.keyCacheTtlMs);
  }

  onModuleInit(): void {
    this.bus.subscribe((invalidation) => {
      if (invalidation.kind === 'key') this.cache.forgetKey(invalidation.keyId);
      else this.cache.forgetTenant(invalidation.tenantId);
    });
  }

  async create(tenantId: string, options: KeyOptions): Promise<IssuedKey> {
    if (!(await this.tenants.get(tenantId))) {
      throw new GatewayError(ErrorCode.TenantNotFound, `Tenant '${tenantId}' does not exist.`, {
        param: 'tenant',
      });
    }
    return this.issue(tenantId, options);
  }

  /**
   * Stores an operator-supplied key (bootstrap file) by its hash, exactly as an issued one.
   * @throws GatewayError `invalid_request` when it is not a `gw_` + 40 hex key
   */
  async import(tenantId: string, plaintext: string, options: KeyOptions): Promise<ApiKey> {
    if (!isWellFormedKey(plaintext)) {
      throw new GatewayError(
        ErrorCode.InvalidRequest,
        'Not a gateway key: expected gw_ followed by 40 lowercase hex characters.',
        { param: 'key' },
      );
    }
    return (await this.store(tenantId, plaintext, options)).key;
  }

  list(tenantId: string): Promise<ApiKey[]> {
    return this.keys.listByTenant(tenantId);
  }

  async get(keyId: string): Promise<ApiKey> {
    const key = await this.keys.get(keyId);
    if (!key) throw notFound(keyId);
    return key;
  }

  /** Renames a key or changes its rate limits; every replica's cached copy is dropped. */
  async update(keyId: string, patch: ApiKeyPatch): Promise<ApiKey> {
    const key = await this.keys.update(keyId, patch);
    if (!key) throw notFound(keyId);
    await this.bus.publish({ kind: 'key', keyId });
    return key;
  }

  async revoke(keyId: string): Promise<ApiKey> {
    const key = await this.keys.revoke(keyId, new Date());
    if (!key) throw notFound(keyId);
    await this.bus.publish({ kind: 'key', keyId });
    return key;
  }

  /**
   * Issues a replacement with the same tenant, name and scopes; the old key keeps working for
   * `graceSeconds` (default `auth.rotation-grace-seconds`), then expires.
   */
  async rotate(keyId: string, graceSeconds?: number): Promise<IssuedKey & { previous: ApiKey }> {
    const old = await this.keys.get(keyId);
    if (!old) throw notFound(keyId);
    if (old.revokedAt) {
      throw new GatewayError(ErrorCode.ApiKeyRevoked, `API key '${keyId}' is revoked.`, {
        param: 'key',
      });
    }
    const issued = await this.issue(old.tenantId, {
      name: old.name,
      scopes: old.scopes,
      expiresAt: old.expiresAt,
      rateLimits: old.rateLimits,
    });
    const grace = graceSeconds ?? this.config.auth.rotationGraceSeconds;
    const graceEnd = new Date(Date.now() + grace * 1000);
    const expiresAt = old.expiresAt && old.expiresAt < graceEnd ? old.expiresAt : graceEnd;
    const previous = (await this.keys.markRotated(keyId, issued.key.id, expiresAt)) ?? old;
    await this.bus.publish({ kind: 'key', keyId });
    return { ...issued, previous };
  }

  /** Tells every replica to forget cached keys of a tenant whose status or settings changed. */
  async tenantChanged(tenantId: string): Promise<void> {
    await this.bus.publish({ kind: 'tenant', tenantId });
  }

  /**
   * @throws GatewayError invalid_api_key, api_key_revoked, api_key_expired (401),
   *   tenant_suspended (403)
   */
  async verify(plaintext: string): Promise<KeyIdentity> {
    const now = Date.now();
    // Malformed keys cannot exist: refuse them without a lookup (and without caching them).
    const record = isWellFormedKey(plaintext)
      ? await this.lookup(hashApiKey(plaintext), now)
      : undefined;
    if (!record) throw new GatewayError(ErrorCode.InvalidApiKey, 'The API key is not valid.');
    if (record.revokedAt) {
      throw new GatewayError(ErrorCode.ApiKeyRevoked, 'The API key has been revoked.');
    }
    if (record.expiresAt && record.expiresAt.getTime() <= now) {
      throw new GatewayError(ErrorCode.ApiKeyExpired, 'The API key has expired.');
    }
    if (record.tenantStatus !== 'active') {
      throw new GatewayError(ErrorCode.TenantSuspended, 'The tenant of this API key is suspended.');
    }
    this.lastUsed.record(record.id, now);
    return {
      tenantId: record.tenantId,
      keyId: record.id,
      scopes: record.scopes,
      tenant: tenantFactsOf(record),
      rateLimits: record.rateLimits,
    };
  }

  private async lookup(hash: string, now: number): Promise<ApiKeyRecord | undefined> {
    const cached = this.cache.get(hash, now);
    if (cached) return cached.record;
    const found = await this.keys.findByHash(hash);
    // The database matched on the hash; compare again in constant time before trusting it.
    const record = found && sameHash(found.hash, hash) ? found : undefined;
    this.cache.set(hash, record, now);
    return record;
  }

  private issue(tenantId: string, options: KeyOptions): Promise<IssuedKey> {
    return this.store(tenantId, generateApiKey(), options);
  }

  private async store(
    tenantId: string,
    plaintext: string,
    options: KeyOptions,
  ): Promise<IssuedKey> {
    const scopes = [...new Set(options.scopes ?? API_KEY_SCOPES)];
    const hash = hashApiKey(plaintext);
    const key = await this.keys.insert({
      id: generateKeyId(),
      tenantId,
      name: options.name,
      hash,
      displayPrefix: displayPrefix(plaintext),
      scopes,
      expiresAt: options.expiresAt ?? null,
      rateLimits: options.rateLimits ?? null,
    });
    this.cache.forgetUnknown(hash);
    return { key, plaintext };
  }
}

/** Built once per cached record: every call with the key shares it. */
const FACTS = new WeakMap<ApiKeyRecord, TenantFacts>();

function tenantFactsOf(record: ApiKeyRecord): TenantFacts {
  let facts = FACTS.get(record);
  if (facts === undefined) {
    facts = Object.freeze({
      id: record.tenantId,
      region: record.tenantRegion,
      tags: record.tenantTags,
      settings: record.tenantSettings,
    });
    FACTS.set(record, facts);
  }
  return facts;
}

function notFound(keyId: string): GatewayError {
  return new GatewayError(ErrorCode.ApiKeyNotFound, `API key '${keyId}' does not exist.`, {
    param: 'key',
  });
}
