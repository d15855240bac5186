import type { NewTenant, Tenant, TenantCredentials, TenantPatch } from './tenant.types.js';

/**
 * Tenants, behind a port so services and tests never see SQL. Credentials are encrypted by the
 * implementation before they are written and decrypted only by {@link credentialsFor}.
 */
export abstract class TenantRepository {
  /** @throws GatewayError `tenant_exists` (409) when the id is taken. */
  abstract create(tenant: NewTenant): Promise<Tenant>;
  abstract get(id: string): Promise<Tenant | undefined>;
  /** Ordered by id; `after` is the last id of the previous page. */
  abstract list(page: { limit: number; after?: string }): Promise<Tenant[]>;
  /** Undefined when there is no such tenant. */
  abstract update(id: string, patch: TenantPatch): Promise<Tenant | undefined>;
  /** Deletes the tenant and its keys; false when there was none. */
  abstract delete(id: string): Promise<boolean>;
  /** Decrypted credentials for one provider, for the provider call that uses them. */
  abstract credentialsFor(
    id: string,
    provider: string,
  ): Promise<Record<string, string> | undefined>;
  /** Every provider credential of the tenant (used only when re-encrypting). */
  abstract allCredentials(id: string): Promise<TenantCredentials>;
}
