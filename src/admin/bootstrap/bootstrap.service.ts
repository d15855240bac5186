import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import type { EnvSource } from '../../config/config-interpolation.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config/gateway-config.types.js';
import { hashApiKey } from '../../governance/auth/api-key.secret.js';
import type { IssuedKey } from '../../governance/auth/api-key.service.js';
import { ApiKeyRepository } from '../../storage/api-key.repository.js';
import type { AdminActor } from '../admin-events.service.js';
import { KeysAdminService } from '../keys-admin.service.js';
import { TenantsAdminService } from '../tenants-admin.service.js';
import { BootstrapConsole } from './bootstrap.console.js';
import {
  BootstrapFileError,
  type BootstrapPlan,
  type PlannedKey,
  type PlannedTenant,
} from './bootstrap-plan.types.js';

/** DI token of the environment `${VAR}` placeholders of the bootstrap file are read from. */
export const BOOTSTRAP_ENVIRONMENT = Symbol('BOOTSTRAP_ENVIRONMENT');

const ACTOR: AdminActor = { via: 'bootstrap' };

interface Outcome {
  tenantsCreated: number;
  keysCreated: number;
  present: number;
}

/**
 * Applies the tenants and keys of GATEWAY_BOOTSTRAP_FILE at start-up, idempotently: it only
 * creates what is missing (a tenant by id, a key by tenant and name) and never changes what
 * exists, so the second start with the same file changes nothing. Generated keys are shown once,
 * in a banner on stdout. An invalid file stops start-up with a message naming the file and the
 * problem.
 */
@Injectable()
export class BootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Bootstrap');
  private loaded?: BootstrapPlan;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(BOOTSTRAP_ENVIRONMENT) private readonly env: EnvSource,
    private readonly tenants: TenantsAdminService,
    private readonly keys: KeysAdminService,
    private readonly keyStore: ApiKeyRepository,
    private readonly console: BootstrapConsole,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const plan = await this.plan();
    if (plan !== undefined) await this.apply(plan);
  }

  /**
   * The bootstrap file, read and validated once (its policies are applied by
   * `BootstrapPoliciesService`); undefined when GATEWAY_BOOTSTRAP_FILE is not set. The loader
   * (YAML, class-validator, the admin DTOs) is imported only then.
   * @throws BootstrapFileError
   */
  async plan(): Promise<BootstrapPlan | undefined> {
    const file = this.config.bootstrap.file.trim();
    if (file === '') return undefined;
    if (this.loaded === undefined) {
      const { loadBootstrapFile } = await import('./bootstrap-file.loader.js');
      this.loaded ??= loadBootstrapFile(file, this.env);
    }
    return this.loaded;
  }

  async apply(plan: BootstrapPlan): Promise<void> {
    const outcome: Outcome = { tenantsCreated: 0, keysCreated: 0, present: 0 };
    try {
      for (const planned of plan.tenants) await this.applyTenant(planned, outcome);
    } catch (err) {
      if (err instanceof BootstrapFileError) throw err;
      const reason = err instanceof Error ? err.message : String(err);
      throw new BootstrapFileError(plan.file, `could not be applied: ${reason}`);
    }
    this.logger.log({
      msg: `Bootstrap file applied: ${outcome.tenantsCreated} tenant(s) and ${outcome.keysCreated} key(s) created, ${outcome.present} already present`,
      file: plan.file,
      tenants_created: outcome.tenantsCreated,
      keys_created: outcome.keysCreated,
      already_present: outcome.present,
    });
  }

  private async applyTenant(planned: PlannedTenant, outcome: Outcome): Promise<void> {
    const id = planned.tenant.id;
    if (await this.exists(id)) {
      outcome.present += 1;
    } else {
      try {
        await this.tenants.create(planned.tenant, ACTOR);
        outcome.tenantsCreated += 1;
      } catch (err) {
        // Another replica applying the same file got there first.
        if (!(err instanceof GatewayError && err.code === ErrorCode.TenantExists)) throw err;
        outcome.present += 1;
      }
    }
    const names = new Set((await this.keyStore.listByTenant(id)).map((key) => key.name));
    for (const key of planned.keys) {
      if (names.has(key.name)) {
        outcome.present += 1;
        if (key.plaintext !== undefined) await this.warnIfDifferent(id, key);
        continue;
      }
      await this.createKey(id, key);
      outcome.keysCreated += 1;
    }
  }

  private async createKey(tenantId: string, key: PlannedKey): Promise<void> {
    const options = { name: key.name, scopes: key.scopes };
    if (key.plaintext === undefined) {
      this.console.show(banner(await this.keys.create(tenantId, options, ACTOR)));
      return;
    }
    const holder = await this.keyStore.findByHash(hashApiKey(key.plaintext));
    if (holder) {
      throw new Error(
        `${key.path}.key is already in use by key '${holder.name}' (${holder.id}) of tenant '${holder.tenantId}'`,
      );
    }
    await this.keys.import(tenantId, key.plaintext, options, ACTOR);
  }

  private async warnIfDifferent(tenantId: string, key: PlannedKey): Promise<void> {
    const stored = await this.keyStore.findByHash(hashApiKey(key.plaintext ?? ''));
    if (stored?.tenantId === tenantId && stored.name === key.name) return;
    this.logger.warn({
      msg: `Key '${key.name}' of tenant '${tenantId}' already exists with another value; the stored key is kept and ${key.path}.key is ignored`,
      tenant_id: tenantId,
    });
  }

  private async exists(tenantId: string): Promise<boolean> {
    try {
      await this.tenants.get(tenantId);
      return true;
    } catch (err) {
      if (err instanceof GatewayError && err.code === ErrorCode.TenantNotFound) return false;
      throw err;
    }
  }
}

function banner(issued: IssuedKey): string {
  const { key, plaintext } = issued;
  const rule = '='.repeat(78);
  return [
    '',
    rule,
    ` New API key for tenant '${key.tenantId}' (name '${key.name}', id ${key.id}):`,
    '',
    `     ${plaintext}`,
    '',
    ' Store it now: it is shown only this once, never again on later starts.',
    rule,
    '',
    '',
  ].join('\n');
}
