import type { PolicyEntry, PolicySource, StoredPolicy } from '../governance/policy/policy.types.js';

/** A policy to store: the entry and where it came from (the API, or the bootstrap file). */
export interface NewPolicy extends PolicyEntry {
  readonly source: Exclude<PolicySource, 'config'>;
}

/**
 * Stored policies (contract 10), behind a port. Every write also advances the policy version, a
 * single number each replica polls to learn that its compiled rules are stale (the fallback when
 * Redis pub/sub is not configured).
 */
export abstract class PolicyRepository {
  /** Every stored policy, ordered by id; with `tenant`, only that tenant's (null: the global ones). */
  abstract list(filter?: { tenant?: string | null }): Promise<StoredPolicy[]>;
  abstract get(id: string): Promise<StoredPolicy | undefined>;
  /** @throws GatewayError `policy_exists` (409) when the id is taken. */
  abstract insert(policy: NewPolicy): Promise<StoredPolicy>;
  /** Full replacement of a stored policy's fields; undefined when there is none. */
  abstract replace(id: string, policy: NewPolicy): Promise<StoredPolicy | undefined>;
  /** False when there was none. */
  abstract delete(id: string): Promise<boolean>;
  /** The current policy version (0 before any write). */
  abstract version(): Promise<number>;
}
