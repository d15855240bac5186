import type { ApiKey, ApiKeyPatch, ApiKeyRecord, NewApiKey } from './api-key.types.js';

/** API keys, behind a port. Plaintext keys never reach it: only their SHA-256. */
export abstract class ApiKeyRepository {
  abstract insert(key: NewApiKey): Promise<ApiKey>;
  /** The key with this hash, with its tenant's status, or undefined. */
  abstract findByHash(hash: string): Promise<ApiKeyRecord | undefined>;
  abstract get(id: string): Promise<ApiKey | undefined>;
  /** Newest first. */
  abstract listByTenant(tenantId: string): Promise<ApiKey[]>;
  /** Applies a partial update; undefined when there is no such key. */
  abstract update(id: string, patch: ApiKeyPatch): Promise<ApiKey | undefined>;
  /** Sets revoked_at (keeps an earlier one); undefined when there is no such key. */
  abstract revoke(id: string, at: Date): Promise<ApiKey | undefined>;
  /** Marks `id` as replaced by `replacedBy`, expiring at `expiresAt` (the rotation grace). */
  abstract markRotated(
    id: string,
    replacedBy: string,
    expiresAt: Date,
  ): Promise<ApiKey | undefined>;
  /** Batched last-use times; ids that no longer exist are ignored. */
  abstract touchLastUsed(uses: readonly { id: string; at: Date }[]): Promise<void>;
}
