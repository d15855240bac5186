import { Injectable } from '@nestjs/common';
import { ErrorCode } from '../common/errors/error-code.js';
import { GatewayError } from '../common/errors/gateway-error.js';
import {
  ApiKeyService,
  type IssuedKey,
  type KeyOptions,
} from '../governance/auth/api-key.service.js';
import type { ApiKey, ApiKeyPatch } from '../storage/api-key.types.js';
import { TenantRepository } from '../storage/tenant.repository.js';
import { type AdminActor, AdminEvents } from './admin-events.service.js';

export interface RotatedKey extends IssuedKey {
  readonly previous: ApiKey;
}

/**
 * API key administration shared by the admin API, the CLI and the bootstrap file. Issuing,
 * verifying and cache invalidation stay in {@link ApiKeyService}; this adds the admin rules and
 * records every change once.
 */
@Injectable()
export class KeysAdminService {
  constructor(
    private readonly apiKeys: ApiKeyService,
    private readonly tenants: TenantRepository,
    private readonly events: AdminEvents,
  ) {}

  /** @throws GatewayError `tenant_not_found` (404) */
  async create(tenantId: string, options: KeyOptions, actor: AdminActor): Promise<IssuedKey> {
    await this.requireTenant(tenantId);
    const issued = await this.apiKeys.create(tenantId, options);
    this.events.record({ action: 'api_key.created', tenantId, keyId: issued.key.id }, actor);
    return issued;
  }

  /**
   * Stores a key whose plaintext the operator chose (the bootstrap file's `${ENV}` keys): by its
   * hash only, exactly as if it had been issued here.
   * @throws Error when the plaintext is not a well-formed `gw_` key
   */
  async import(
    tenantId: string,
    plaintext: string,
    options: KeyOptions,
    actor: AdminActor,
  ): Promise<ApiKey> {
    const key = await this.apiKeys.import(tenantId, plaintext, options);
    this.events.record({ action: 'api_key.imported', tenantId, keyId: key.id }, actor);
    return key;
  }

  /** Newest first. @throws GatewayError `tenant_not_found` (404) */
  async list(tenantId: string): Promise<ApiKey[]> {
    await this.requireTenant(tenantId);
    return this.apiKeys.list(tenantId);
  }

  /** @throws GatewayError `api_key_not_found` (404) */
  get(keyId: string): Promise<ApiKey> {
    return this.apiKeys.get(keyId);
  }

  /** Renames a key or changes its rate limits, on every replica at once. */
  async update(keyId: string, patch: ApiKeyPatch, actor: AdminActor): Promise<ApiKey> {
    const key = await this.apiKeys.update(keyId, patch);
    const fields = Object.keys(patch).filter(
      (field) => patch[field as keyof ApiKeyPatch] !== undefined,
    );
    this.events.record({ action: 'api_key.updated', tenantId: key.tenantId, keyId, fields }, actor);
    return key;
  }

  /** Stops the key at once, on every replica. Revoking a revoked key changes nothing. */
  async revoke(keyId: string, actor: AdminActor): Promise<ApiKey> {
    const key = await this.apiKeys.revoke(keyId);
    this.events.record({ action: 'api_key.revoked', tenantId: key.tenantId, keyId }, actor);
    return key;
  }

  /**
   * Issues a replacement; the old key works for `graceSeconds` more (the configured default when
   * undefined). Only a live key that has not been rotated yet can be rotated: otherwise two
   * replacements of one key would be live at once.
   * @throws GatewayError `api_key_not_found` (404), `invalid_request` (400)
   */
  async rotate(
    keyId: string,
    graceSeconds: number | undefined,
    actor: AdminActor,
  ): Promise<RotatedKey> {
    const key = await this.apiKeys.get(keyId);
    const refusal = rotationRefusal(key);
    if (refusal) {
      throw new GatewayError(
        ErrorCode.InvalidRequest,
        `API key '${keyId}' ${refusal}: create a new key instead.`,
        { param: 'keyId' },
      );
    }
    const rotated = await this.apiKeys.rotate(keyId, graceSeconds);
    this.events.record(
      {
        action: 'api_key.rotated',
        tenantId: key.tenantId,
        keyId,
        replacedBy: rotated.key.id,
      },
      actor,
    );
    return rotated;
  }

  /** The admin surfaces name the tenant `id` (its path parameter), hence this check of their own. */
  private async requireTenant(tenantId: string): Promise<void> {
    if (await this.tenants.get(tenantId)) return;
    throw new GatewayError(ErrorCode.TenantNotFound, `Tenant '${tenantId}' does not exist.`, {
      param: 'id',
    });
  }
}

function rotationRefusal(key: ApiKey): string | undefined {
  if (key.revokedAt) return 'is revoked';
  if (key.replacedBy) return `was already rotated (replaced by '${key.replacedBy}')`;
  if (key.expiresAt && key.expiresAt.getTime() <= Date.now()) return 'has expired';
  return undefined;
}
