import type { KeysAdminService } from '../admin/keys-admin.service.js';
import type { BudgetsAdminService } from '../admin/metering/budgets-admin.service.js';
import type { PricingAdminService } from '../admin/metering/pricing-admin.service.js';
import type { SpendAdminService } from '../admin/metering/spend-admin.service.js';
import type { PoliciesAdminService } from '../admin/policies-admin.service.js';
import type { TenantsAdminService } from '../admin/tenants-admin.service.js';
import type { GatewayConfig } from '../config/gateway-config.types.js';
import type { PolicyDryRun } from '../governance/policy/policy-dry-run.service.js';
import type { CliIo } from './cli.io.js';

/** The administration services of a booted application context. */
export interface AdminServices {
  readonly tenants: TenantsAdminService;
  readonly keys: KeysAdminService;
  readonly policies: PoliciesAdminService;
  readonly dryRun: PolicyDryRun;
  readonly budgets: BudgetsAdminService;
  readonly pricing: PricingAdminService;
  readonly spend: SpendAdminService;
}

export interface CommandContext {
  readonly io: CliIo;
  /** Option values by long name (`expires-at`), as parsed. */
  readonly options: Readonly<Record<string, string | boolean | undefined>>;
  readonly args: readonly string[];
  readonly json: boolean;
  config(): GatewayConfig;
  /** Boots the application context on first use; the runner closes it. */
  services(): Promise<AdminServices>;
}

export interface CliCommand {
  /** Group and command, e.g. `keys create`. */
  readonly name: string;
  /** What follows the name in the usage line. */
  readonly synopsis: string;
  readonly summary: string;
  readonly options: Readonly<Record<string, { type: 'string' | 'boolean'; short?: string }>>;
  /** Names of the required positional arguments, in order. */
  readonly args: readonly string[];
  /** Resolves to the exit code when it is not simply 0 (`audit verify`: 1 broken, 2 nothing). */
  run(context: CommandContext): Promise<void | number>;
}
