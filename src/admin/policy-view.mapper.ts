import type { StoredPolicy } from '../governance/policy/policy.types.js';
import type { PolicyView } from './dto/policy.view.js';

/** Only policies written through the admin API or the CLI can be changed there. */
export function isReadOnly(policy: StoredPolicy): boolean {
  return policy.source !== 'api';
}

export function toPolicyView(policy: StoredPolicy): PolicyView {
  return {
    object: 'policy',
    id: policy.id,
    tenant: policy.tenant,
    status: policy.status,
    dsl: policy.dsl,
    source: policy.source,
    read_only: isReadOnly(policy),
    created_at: policy.createdAt.toISOString(),
    updated_at: policy.updatedAt.toISOString(),
  };
}
