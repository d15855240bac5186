import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ErrorCode } from '../common/errors/error-code.js';
import { GatewayError } from '../common/errors/gateway-error.js';
import { PolicyRegistry } from '../governance/policy/policy.registry.js';
import type { PolicyEntry, StoredPolicy } from '../governance/policy/policy.types.js';
import { PolicyRepository } from '../storage/policy.repository.js';
import { TenantRepository } from '../storage/tenant.repository.js';
import type { AdminActor } from './admin-events.service.js';
import { type PolicyChange, PolicyEvents } from './policy-events.service.js';
import { isReadOnly } from './policy-view.mapper.js';

export type ApplyOutcome = 'created' | 'updated' | 'unchanged';

export interface AppliedPolicy {
  readonly policy: StoredPolicy;
  readonly outcome: ApplyOutcome;
}

/**
 * Policy administration shared by the admin API and the CLI (contract 10). Entries are checked by
 * the policy engine itself; configuration and bootstrap-file policies are read-only here; every
 * write is announced through the registry, so every replica enforces it within seconds.
 */
@Injectable()
export class PoliciesAdminService {
  constructor(
    private readonly policies: PolicyRepository,
    private readonly registry: PolicyRegistry,
    private readonly tenants: TenantRepository,
    private readonly events: PolicyEvents,
  ) {}

  /**
   * Configuration policies and stored ones, by id (a configuration policy first on an equal id);
   * with `tenant`, only that tenant's own, not the global ones.
   */
  async list(tenant?: string): Promise<StoredPolicy[]> {
    const config = this.registry
      .configPolicies()
      .filter((policy) => tenant === undefined || policy.tenant === tenant);
    const stored = await this.policies.list(tenant === undefined ? {} : { tenant });
    // A stable sort: configuration policies stay ahead of stored ones of the same id.
    return [...config, ...stored].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** @throws GatewayError `policy_not_found` (404) */
  async get(id: string): Promise<StoredPolicy> {
    const policy = this.configPolicy(id) ?? (await this.policies.get(id));
    if (!policy) throw notFound(id);
    return policy;
  }

  /**
   * Parses and compiles a policy entry.
   * @throws GatewayError `policy_invalid` (400) naming the rule and key in `param`
   */
  check(raw: unknown): PolicyEntry {
    return this.registry.validate(raw);
  }

  /**
   * Stores a new policy (an id is generated when the entry has none).
   * @throws GatewayError `policy_invalid`, `policy_read_only` (a configuration policy's id),
   *   `tenant_not_found`, `policy_exists`
   */
  async create(raw: Readonly<Record<string, unknown>>, actor: AdminActor): Promise<StoredPolicy> {
    const entry = this.check(
      raw.id === undefined || raw.id === null ? { ...raw, id: newPolicyId() } : raw,
    );
    const config = this.configPolicy(entry.id);
    if (config) throw readOnly(config);
    await this.requireTenant(entry.tenant);
    const created = await this.policies.insert({ ...entry, source: 'api' });
    await this.announce([{ action: 'policy.created', policy: created }], actor);
    return created;
  }

  /**
   * Full replacement; the id is the one given, and an entry naming another is refused.
   * @throws GatewayError `validation_error` (param `id`), `policy_invalid`, `policy_read_only`,
   *   `policy_not_found`, `tenant_not_found`
   */
  async replace(
    id: string,
    raw: Readonly<Record<string, unknown>>,
    actor: AdminActor,
  ): Promise<StoredPolicy> {
    if (raw.id !== undefined && raw.id !== id) {
      throw new GatewayError(
        ErrorCode.ValidationError,
        `id ${JSON.stringify(raw.id)} differs from the policy id in the path ('${id}'); leave it out or give the same id.`,
        { param: 'id' },
      );
    }
    const entry = this.check({ ...raw, id });
    await this.changeable(id);
    await this.requireTenant(entry.tenant);
    const replaced = await this.policies.replace(id, { ...entry, source: 'api' });
    if (!replaced) throw notFound(id);
    await this.announce([{ action: 'policy.replaced', policy: replaced }], actor);
    return replaced;
  }

  /** @throws GatewayError `policy_read_only`, `policy_not_found` */
  async delete(id: string, actor: AdminActor): Promise<void> {
    const current = await this.changeable(id);
    if (!(await this.policies.delete(id))) throw notFound(id);
    await this.announce([{ action: 'policy.deleted', policy: current }], actor);
  }

  /**
   * Creates or replaces checked entries by id (the CLI's `apply`), all or nothing as far as
   * checks go: every entry is checked before the first write. An entry equal to the stored
   * policy is left alone.
   * @throws GatewayError `policy_read_only`, `tenant_not_found`
   */
  async apply(entries: readonly PolicyEntry[], actor: AdminActor): Promise<AppliedPolicy[]> {
    const current = new Map<string, StoredPolicy | undefined>();
    for (const entry of entries) {
      const config = this.configPolicy(entry.id);
      if (config) throw readOnly(config);
      const stored = await this.policies.get(entry.id);
      if (stored && isReadOnly(stored)) throw readOnly(stored);
      await this.requireTenant(entry.tenant);
      current.set(entry.id, stored);
    }
    const applied: AppliedPolicy[] = [];
    const changes: { action: PolicyChange['action']; policy: StoredPolicy }[] = [];
    for (const entry of entries) {
      const stored = current.get(entry.id);
      if (stored && sameEntry(stored, entry)) {
        applied.push({ policy: stored, outcome: 'unchanged' });
        continue;
      }
      const written = stored
        ? await this.policies.replace(entry.id, { ...entry, source: 'api' })
        : await this.policies.insert({ ...entry, source: 'api' });
      if (!written) throw notFound(entry.id);
      applied.push({ policy: written, outcome: stored ? 'updated' : 'created' });
      changes.push({ action: stored ? 'policy.replaced' : 'policy.created', policy: written });
    }
    await this.announce(changes, actor);
    return applied;
  }

  private configPolicy(id: string): StoredPolicy | undefined {
    return this.registry.configPolicies().find((policy) => policy.id === id);
  }

  /** The stored policy the API may change. */
  private async changeable(id: string): Promise<StoredPolicy> {
    const config = this.configPolicy(id);
    if (config) throw readOnly(config);
    const stored = await this.policies.get(id);
    if (!stored) throw notFound(id);
    if (isReadOnly(stored)) throw readOnly(stored);
    return stored;
  }

  /** A typo in a tenant id would leave a policy governing no one: refuse it. */
  private async requireTenant(tenant: string | null): Promise<void> {
    if (tenant === null || (await this.tenants.get(tenant))) return;
    throw new GatewayError(ErrorCode.TenantNotFound, `Tenant '${tenant}' does not exist.`, {
      param: 'tenant',
    });
  }

  /** Reloads the rules here and tells the other replicas; records each change. */
  private async announce(
    changes: readonly { action: PolicyChange['action']; policy: StoredPolicy }[],
    actor: AdminActor,
  ): Promise<void> {
    if (changes.length === 0) return;
    await this.registry.changed();
    for (const { action, policy } of changes) {
      this.events.record(
        { action, policyId: policy.id, tenantId: policy.tenant, source: 'api' },
        actor,
      );
    }
  }
}

/** `pol_` + 12 hex. */
export function newPolicyId(): string {
  return `pol_${randomBytes(6).toString('hex')}`;
}

export function sameEntry(a: PolicyEntry, b: PolicyEntry): boolean {
  return a.tenant === b.tenant && a.status === b.status && a.dsl === b.dsl;
}

function notFound(id: string): GatewayError {
  return new GatewayError(ErrorCode.PolicyNotFound, `Policy '${id}' does not exist.`, {
    param: 'id',
  });
}

function readOnly(policy: StoredPolicy): GatewayError {
  const where =
    policy.source === 'config'
      ? 'the configuration (gateway.policies); change it there'
      : 'the bootstrap file; change it there, it is applied at the next start';
  return new GatewayError(ErrorCode.PolicyReadOnly, `Policy '${policy.id}' comes from ${where}.`, {
    param: 'id',
  });
}
