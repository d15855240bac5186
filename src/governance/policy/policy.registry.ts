import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config/gateway-config.types.js';
import { PolicyRepository } from '../../storage/policy.repository.js';
import { StoredVersionPoller } from '../../storage/stored-version.poller.js';
import { compilePolicy } from './dsl/policy.compiler.js';
import { parsePolicyEntry } from './dsl/policy-entry.parser.js';
import { PolicyChangeBus } from './policy-change.bus.js';
import { POLICY_CATALOG } from './policy-catalog.js';
import { orderRules } from './policy.evaluator.js';
import {
  type CompiledPolicy,
  type CompiledRule,
  PolicyCompileError,
  type PolicyEntry,
  type ProviderCatalog,
  type StoredPolicy,
} from './policy.types.js';

/** The rules governing one tenant's calls, in evaluation order. */
export interface RuleSet {
  /** ACTIVE rules: enforced. */
  readonly active: readonly CompiledRule[];
  /** The ACTIVE rules that read the target, for the per-target re-check. */
  readonly targeted: readonly CompiledRule[];
  /** SHADOW rules: evaluated and recorded, never enforced. */
  readonly shadow: readonly CompiledRule[];
  /** No ACTIVE and no SHADOW rule: the policy stage has nothing to do. */
  readonly empty: boolean;
}

const EMPTY: RuleSet = Object.freeze({ active: [], targeted: [], shadow: [], empty: true });

/**
 * Every policy in force (contract 10): `gateway.policies` from configuration, and the stored ones
 * (the bootstrap file's and the admin API's), compiled once and cached per tenant, so evaluation
 * reads no database. A policy that does not compile is skipped with an error log naming it; the
 * others keep governing.
 *
 * Replicas converge within `gateway.policy.reload-interval-ms`: each polls the stored policy
 * version, and with Redis a change is also announced at once over pub/sub.
 */
@Injectable()
export class PolicyRegistry implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger('Policies');
  private readonly fromConfig: readonly StoredPolicy[];
  private readonly compiledConfig: readonly CompiledPolicy[];
  private stored: readonly CompiledPolicy[] = [];
  private version = -1;
  private readonly sets = new Map<string, RuleSet>();
  private global: RuleSet = EMPTY;
  private reloading: Promise<void> = Promise.resolve();
  /** Failed compilations already logged, by `id@updatedAt`, so polling does not repeat them. */
  private readonly reported = new Set<string>();

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(POLICY_CATALOG) private readonly catalog: ProviderCatalog,
    private readonly repository: PolicyRepository,
    private readonly bus: PolicyChangeBus,
    private readonly poller: StoredVersionPoller,
  ) {
    const loaded = this.loadConfigPolicies(config.policies);
    this.fromConfig = loaded.map((p) => p.stored);
    this.compiledConfig = loaded.flatMap((p) => (p.compiled ? [p.compiled] : []));
    this.rebuild();
  }

  async onModuleInit(): Promise<void> {
    await this.reload(true);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.bus.subscribe(() => void this.reloadQuietly(true));
    await this.bus.start();
    // The shared poll compares the stored version with ours and reloads only when it moved.
    this.poller.watch('policy', this.config.policy.reloadIntervalMs, {
      loaded: () => this.version,
      stale: () => void this.reloadQuietly(false),
    });
  }

  /** The rules for a tenant's call: the global ones and the tenant's own, in evaluation order. */
  rulesFor(tenantId: string): RuleSet {
    return this.sets.get(tenantId) ?? this.global;
  }

  /**
   * Parses and compiles a policy entry as the admin API or the bootstrap file received it.
   * @throws GatewayError `policy_invalid` (400) with `param` naming the rule and key
   */
  validate(raw: unknown): PolicyEntry {
    try {
      const entry = parsePolicyEntry(raw);
      compilePolicy(entry, this.catalog);
      return entry;
    } catch (error) {
      throw asPolicyInvalid(error);
    }
  }

  /**
   * Compiles a draft DSL (the dry-run's), as policy `draft`.
   * @throws GatewayError `policy_invalid`
   */
  compileDraft(dsl: string, tenant: string | null): CompiledPolicy {
    try {
      return compilePolicy({ id: 'draft', tenant, status: 'ACTIVE', dsl }, this.catalog);
    } catch (error) {
      throw asPolicyInvalid(error, 'dsl');
    }
  }

  /** The policies of `gateway.policies`, read-only on the admin API (compiled or not). */
  configPolicies(): readonly StoredPolicy[] {
    return this.fromConfig;
  }

  /** After a stored-policy write: reload here at once, and tell every other replica. */
  async changed(): Promise<void> {
    await this.reload(true);
    try {
      await this.bus.publish();
    } catch (error) {
      // The others still converge by polling the version.
      this.logger.warn(`Could not announce a policy change: ${describe(error)}`);
    }
  }

  /** Re-reads stored policies when their version moved (or always, when `force`). */
  reload(force: boolean): Promise<void> {
    const next = this.reloading.then(() => this.load(force));
    this.reloading = next.catch(() => undefined);
    return next;
  }

  private async reloadQuietly(force: boolean): Promise<void> {
    try {
      await this.reload(force);
    } catch (error) {
      // The rules in force stay in force: a storage hiccup never opens the gate.
      this.logger.warn(`Could not reload stored policies: ${describe(error)}`);
    }
  }

  private async load(force: boolean): Promise<void> {
    const version = await this.repository.version();
    if (!force && version === this.version) return;
    const policies = await this.repository.list();
    this.stored = policies.flatMap((policy) => {
      const compiled = this.compileStored(policy);
      return compiled ? [compiled] : [];
    });
    this.version = version;
    this.rebuild();
  }

  private compileStored(policy: StoredPolicy): CompiledPolicy | undefined {
    if (policy.status === 'DRAFT') return undefined;
    try {
      return compilePolicy(policy, this.catalog);
    } catch (error) {
      const key = `${policy.id}@${policy.updatedAt.getTime()}`;
      if (!this.reported.has(key)) {
        this.reported.add(key);
        this.logger.error(
          `Policy '${policy.id}' (${policy.source}) does not compile and is skipped; the other policies keep governing: ${describe(error)}`,
        );
      }
      return undefined;
    }
  }

  private loadConfigPolicies(
    entries: readonly unknown[],
  ): { stored: StoredPolicy; compiled?: CompiledPolicy }[] {
    const now = new Date();
    const seen = new Set<string>();
    return entries.flatMap((raw, index) => {
      const where = `gateway.policies[${index}]`;
      let entry: PolicyEntry;
      try {
        entry = parsePolicyEntry(raw);
      } catch (error) {
        this.logger.error(`${where} is skipped: ${describe(error)}`);
        return [];
      }
      if (seen.has(entry.id)) {
        this.logger.error(
          `${where} is skipped: another policy in configuration has id '${entry.id}'.`,
        );
        return [];
      }
      seen.add(entry.id);
      const stored: StoredPolicy = { ...entry, source: 'config', createdAt: now, updatedAt: now };
      if (entry.status === 'DRAFT') return [{ stored }];
      try {
        return [{ stored, compiled: compilePolicy(entry, this.catalog) }];
      } catch (error) {
        this.logger.error(
          `Policy '${entry.id}' (${where}) does not compile and is skipped; the other policies keep governing: ${describe(error)}`,
        );
        return [{ stored }];
      }
    });
  }

  /** Flattens and orders the rules once per change, per tenant that has policies of its own. */
  private rebuild(): void {
    const configIds = new Set(this.compiledConfig.map((p) => p.entry.id));
    // A stored policy never shadows a configuration one of the same id.
    const all = [...this.compiledConfig, ...this.stored.filter((p) => !configIds.has(p.entry.id))];
    const globals = all.filter((p) => p.entry.tenant === null);
    const tenants = new Set(all.flatMap((p) => (p.entry.tenant === null ? [] : [p.entry.tenant])));
    this.global = ruleSet(globals);
    this.sets.clear();
    for (const tenant of tenants) {
      this.sets.set(
        tenant,
        ruleSet(all.filter((p) => p.entry.tenant === null || p.entry.tenant === tenant)),
      );
    }
  }
}

function ruleSet(policies: readonly CompiledPolicy[]): RuleSet {
  if (policies.length === 0) return EMPTY;
  const rules = orderRules(policies);
  const active = rules.filter((r) => r.status === 'ACTIVE');
  const shadow = rules.filter((r) => r.status === 'SHADOW');
  return {
    active,
    targeted: active.filter((r) => r.concernsTarget),
    shadow,
    empty: active.length === 0 && shadow.length === 0,
  };
}

function asPolicyInvalid(error: unknown, fallbackParam = 'dsl'): GatewayError {
  if (error instanceof GatewayError) return error;
  if (error instanceof PolicyCompileError) {
    return new GatewayError(ErrorCode.PolicyInvalid, error.message, {
      param: error.param || fallbackParam,
    });
  }
  throw error;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
