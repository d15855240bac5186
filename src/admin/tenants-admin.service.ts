import { Injectable } from '@nestjs/common';
import { ErrorCode } from '../common/errors/error-code.js';
import { GatewayError } from '../common/errors/gateway-error.js';
import { ApiKeyService } from '../governance/auth/api-key.service.js';
import { TenantRepository } from '../storage/tenant.repository.js';
import type {
  NewTenant,
  Tenant,
  TenantPatch,
  TenantSettings,
  TenantStatus,
} from '../storage/tenant.types.js';
import { type AdminActor, AdminEvents } from './admin-events.service.js';

/** A settings change: a field set to a value replaces it, set to null clears it, absent keeps it. */
export type SettingsChange = { -readonly [K in keyof TenantSettings]?: TenantSettings[K] | null };

/** A tenant update; `settings: null` resets every setting to the installation's default. */
export interface TenantUpdate extends Omit<TenantPatch, 'settings'> {
  settings?: SettingsChange | null;
}

export interface TenantPage {
  readonly tenants: Tenant[];
  readonly hasMore: boolean;
}

/**
 * Tenant administration shared by the admin API, the CLI and the bootstrap file: every change is
 * recorded once, and key caches on every replica forget a tenant whose status or settings change.
 */
@Injectable()
export class TenantsAdminService {
  constructor(
    private readonly tenants: TenantRepository,
    private readonly keys: ApiKeyService,
    private readonly events: AdminEvents,
  ) {}

  /** @throws GatewayError `tenant_exists` (409) when the id is taken. */
  async create(tenant: NewTenant, actor: AdminActor): Promise<Tenant> {
    const created = await this.tenants.create(tenant);
    this.events.record({ action: 'tenant.created', tenantId: created.id }, actor);
    return created;
  }

  /** One page by id, after `after`; asks for one more row to know whether another page exists. */
  async list(page: { limit: number; after?: string }): Promise<TenantPage> {
    const rows = await this.tenants.list({ limit: page.limit + 1, after: page.after });
    return { tenants: rows.slice(0, page.limit), hasMore: rows.length > page.limit };
  }

  /** @throws GatewayError `tenant_not_found` (404) */
  async get(id: string): Promise<Tenant> {
    const tenant = await this.tenants.get(id);
    if (!tenant) throw notFound(id);
    return tenant;
  }

  async update(id: string, update: TenantUpdate, actor: AdminActor): Promise<Tenant> {
    const { settings, ...rest } = update;
    const patch: TenantPatch = { ...rest };
    if (settings !== undefined) {
      const current = await this.get(id);
      patch.settings = settings === null ? {} : mergeSettings(current.settings, settings);
    }
    const updated = await this.tenants.update(id, patch);
    if (!updated) throw notFound(id);
    await this.keys.tenantChanged(id);
    this.events.record(
      { action: 'tenant.updated', tenantId: id, fields: Object.keys(update) },
      actor,
    );
    return updated;
  }

  async setStatus(id: string, status: TenantStatus, actor: AdminActor): Promise<Tenant> {
    const updated = await this.tenants.update(id, { status });
    if (!updated) throw notFound(id);
    await this.keys.tenantChanged(id);
    const action = status === 'suspended' ? 'tenant.suspended' : 'tenant.activated';
    this.events.record({ action, tenantId: id }, actor);
    return updated;
  }

  /** Deletes the tenant and its keys; cached keys of it stop working at once. */
  async delete(id: string, actor: AdminActor): Promise<void> {
    if (!(await this.tenants.delete(id))) throw notFound(id);
    await this.keys.tenantChanged(id);
    this.events.record({ action: 'tenant.deleted', tenantId: id }, actor);
  }
}

export function mergeSettings(current: TenantSettings, change: SettingsChange): TenantSettings {
  const merged: Record<string, unknown> = { ...current };
  for (const [field, value] of Object.entries(change)) {
    if (value === null) delete merged[field];
    else if (value !== undefined) merged[field] = value;
  }
  return merged;
}

function notFound(id: string): GatewayError {
  return new GatewayError(ErrorCode.TenantNotFound, `Tenant '${id}' does not exist.`, {
    param: 'id',
  });
}
