import type { ApiKeyRecord } from '../../storage/api-key.types.js';

interface Entry {
  readonly record: ApiKeyRecord | undefined;
  readonly expiresAt: number;
}

/** A miss for an unknown key is remembered briefly, so guessing keys cannot hammer the database. */
const NEGATIVE_TTL_MS = 5_000;
const MAX_ENTRIES = 50_000;

/**
 * Verified-key lookups by hash, so the authenticated hot path reads no database (contract
 * performance rules). Entries expire after the configured TTL and are dropped at once on
 * invalidation (revoke, rotate, tenant change), locally and, through the bus, on other replicas.
 */
export class ApiKeyCache {
  private readonly byHash = new Map<string, Entry>();

  constructor(private readonly ttlMs: number) {}

  /** `undefined`: not cached; `{ record: undefined }`: known to be unknown. */
  get(hash: string, now: number): Entry | undefined {
    const entry = this.byHash.get(hash);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now) {
      this.byHash.delete(hash);
      return undefined;
    }
    return entry;
  }

  set(hash: string, record: ApiKeyRecord | undefined, now: number): void {
    if (this.ttlMs === 0) return;
    if (this.byHash.size >= MAX_ENTRIES) {
      // Maps iterate in insertion order: drop the oldest entry.
      const oldest = this.byHash.keys().next().value;
      if (oldest !== undefined) this.byHash.delete(oldest);
    }
    const ttl = record === undefined ? Math.min(NEGATIVE_TTL_MS, this.ttlMs) : this.ttlMs;
    this.byHash.set(hash, { record, expiresAt: now + ttl });
  }

  forgetKey(keyId: string): void {
    for (const [hash, entry] of this.byHash) {
      if (entry.record?.id === keyId) this.byHash.delete(hash);
    }
  }

  forgetTenant(tenantId: string): void {
    for (const [hash, entry] of this.byHash) {
      if (entry.record?.tenantId === tenantId) this.byHash.delete(hash);
    }
  }

  /** A new key may have been created with a hash that was cached as unknown. */
  forgetUnknown(hash: string): void {
    if (this.byHash.get(hash)?.record === undefined) this.byHash.delete(hash);
  }
}
