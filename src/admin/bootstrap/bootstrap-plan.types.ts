import type { BudgetInput } from '../../governance/metering/budgets/budget.types.js';
import type { ApiKeyScope } from '../../storage/api-key.types.js';
import type { NewTenant } from '../../storage/tenant.types.js';

// The bootstrap file's plan and its error, apart from the loader: the services that apply a plan
// need these at start-up, the loader (YAML, class-validator and the admin DTOs) only when
// GATEWAY_BOOTSTRAP_FILE is set.

/** What the file asks for, validated: tenants by id, keys by tenant and name; policies as written. */
export interface BootstrapPlan {
  readonly file: string;
  readonly tenants: readonly PlannedTenant[];
  readonly policies: readonly PlannedPolicy[];
  readonly budgets: readonly BudgetInput[];
}

/** A policy entry, interpolated but not yet checked (the policy engine checks it when applied). */
export interface PlannedPolicy {
  readonly entry: unknown;
  /** Where the entry is in the file, e.g. `policies[2]`, for messages. */
  readonly path: string;
}

export interface PlannedTenant {
  readonly tenant: NewTenant & { readonly id: string };
  readonly keys: readonly PlannedKey[];
}

export interface PlannedKey {
  readonly name: string;
  readonly scopes?: readonly ApiKeyScope[];
  /** The operator's key (from `${ENV}`); generated at start-up when absent. */
  readonly plaintext?: string;
  /** Where the key is in the file, e.g. `tenants[0].keys[1]`, for messages. */
  readonly path: string;
}

/** An unusable bootstrap file; start-up stops with this message (file and problem, no secret). */
export class BootstrapFileError extends Error {
  override readonly name = 'BootstrapFileError';

  constructor(file: string, problem: string) {
    super(`Bootstrap file ${file}: ${problem}`);
  }
}
