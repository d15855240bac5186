import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { PolicyRegistry } from '../../governance/policy/policy.registry.js';
import type { PolicyEntry, StoredPolicy } from '../../governance/policy/policy.types.js';
import { PolicyRepository } from '../../storage/policy.repository.js';
import { TenantRepository } from '../../storage/tenant.repository.js';
import type { AdminActor } from '../admin-events.service.js';
import { sameEntry } from '../policies-admin.service.js';
import { type PolicyAction, PolicyEvents } from '../policy-events.service.js';
import {
  BootstrapFileError,
  type BootstrapPlan,
  type PlannedPolicy,
} from './bootstrap-plan.types.js';
import { BootstrapService } from './bootstrap.service.js';

const ACTOR: AdminActor = { via: 'bootstrap' };

interface Outcome {
  created: number;
  updated: number;
  removed: number;
  unchanged: number;
  skipped: number;
}

/**
 * Applies the `policies:` of the bootstrap file at start-up (contract 10), after its tenants
 * (Nest runs this hook after those of the services it depends on). The file is the source of
 * truth for policies with source `bootstrap`: a missing one is inserted, a different one
 * replaced, and one the file no longer names deleted, so a second start with the same file
 * changes nothing. A policy written through the API or the CLI is never overwritten.
 *
 * An entry that does not compile is skipped with an error log naming it, and the others still
 * apply; a stored policy of the same id is kept as it is, never deleted: a typo in an edit must
 * not lift a policy that governs today.
 */
@Injectable()
export class BootstrapPoliciesService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Bootstrap');

  constructor(
    private readonly bootstrap: BootstrapService,
    private readonly registry: PolicyRegistry,
    private readonly policies: PolicyRepository,
    private readonly tenants: TenantRepository,
    private readonly events: PolicyEvents,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const plan = await this.bootstrap.plan();
    if (plan !== undefined) await this.apply(plan);
  }

  async apply(plan: BootstrapPlan): Promise<void> {
    const outcome: Outcome = { created: 0, updated: 0, removed: 0, unchanged: 0, skipped: 0 };
    try {
      const named = new Set<string>();
      for (const planned of plan.policies) await this.applyEntry(planned, named, outcome);
      await this.removeUnnamed(named, outcome);
      if (outcome.created + outcome.updated + outcome.removed > 0) await this.registry.changed();
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new BootstrapFileError(plan.file, `policies could not be applied: ${reason}`);
    }
    if (plan.policies.length === 0 && outcome.removed === 0) return;
    this.logger.log({
      msg:
        `Bootstrap file policies applied: ${outcome.created} created, ${outcome.updated} updated, ` +
        `${outcome.removed} removed, ${outcome.unchanged} unchanged, ${outcome.skipped} skipped`,
      file: plan.file,
      policies_created: outcome.created,
      policies_updated: outcome.updated,
      policies_removed: outcome.removed,
      policies_unchanged: outcome.unchanged,
      policies_skipped: outcome.skipped,
    });
  }

  private async applyEntry(
    planned: PlannedPolicy,
    named: Set<string>,
    outcome: Outcome,
  ): Promise<void> {
    const id = idOf(planned.entry);
    const where = id === undefined ? planned.path : `${planned.path} (policy '${id}')`;
    const skip = (reason: string) => {
      outcome.skipped += 1;
      this.logger.error(`Bootstrap file ${where} is skipped: ${reason}`);
    };
    if (id !== undefined) {
      if (named.has(id)) return skip(`an earlier entry of the file has the id '${id}'.`);
      named.add(id);
    }
    let entry: PolicyEntry;
    try {
      entry = this.registry.validate(planned.entry);
    } catch (err) {
      if (!(err instanceof GatewayError && err.code === ErrorCode.PolicyInvalid)) throw err;
      const kept = id === undefined ? '' : ' A stored policy of this id, if any, is kept as it is.';
      return skip(`${err.message} (at ${err.param ?? 'dsl'}).${kept}`);
    }
    if (this.registry.configPolicies().some((policy) => policy.id === entry.id)) {
      return skip(`a policy in configuration (gateway.policies) has the same id.`);
    }
    const stored = await this.policies.get(entry.id);
    if (stored?.source === 'api') {
      return skip(
        'a policy of that id was written through the admin API or the CLI and is never overwritten by the bootstrap file; delete it there, or rename this one.',
      );
    }
    if (entry.tenant !== null && !(await this.tenants.get(entry.tenant))) {
      this.logger.warn(
        `Bootstrap file ${where} governs tenant '${entry.tenant}', which does not exist (yet).`,
      );
    }
    if (stored === undefined) {
      await this.insert(entry, outcome);
    } else if (sameEntry(stored, entry)) {
      outcome.unchanged += 1;
    } else {
      await this.policies.replace(entry.id, { ...entry, source: 'bootstrap' });
      this.record('policy.replaced', entry);
      outcome.updated += 1;
    }
  }

  private async insert(entry: PolicyEntry, outcome: Outcome): Promise<void> {
    try {
      await this.policies.insert({ ...entry, source: 'bootstrap' });
    } catch (err) {
      // Another replica applying the same file got there first.
      if (!(err instanceof GatewayError && err.code === ErrorCode.PolicyExists)) throw err;
      outcome.unchanged += 1;
      return;
    }
    this.record('policy.created', entry);
    outcome.created += 1;
  }

  /** Bootstrap policies the file no longer names: nothing else could remove them. */
  private async removeUnnamed(named: ReadonlySet<string>, outcome: Outcome): Promise<void> {
    const stale: StoredPolicy[] = (await this.policies.list()).filter(
      (policy) => policy.source === 'bootstrap' && !named.has(policy.id),
    );
    for (const policy of stale) {
      if (!(await this.policies.delete(policy.id))) continue;
      this.logger.log(`Policy '${policy.id}' is no longer in the bootstrap file: removed.`);
      this.record('policy.deleted', policy);
      outcome.removed += 1;
    }
  }

  private record(action: PolicyAction, entry: PolicyEntry): void {
    this.events.record(
      { action, policyId: entry.id, tenantId: entry.tenant, source: 'bootstrap' },
      ACTOR,
    );
  }
}

/** The entry's id when it has a usable one, even if the rest of it is invalid. */
function idOf(entry: unknown): string | undefined {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return undefined;
  const id = (entry as Record<string, unknown>).id;
  return typeof id === 'string' && id !== '' ? id : undefined;
}
