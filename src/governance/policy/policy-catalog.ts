import type { GatewayConfig } from '../../config/gateway-config.types.js';
import { providerCatalog } from '../../providers/provider-catalog.js';
import type { ProviderCatalog } from './policy.types.js';

/** DI token of the {@link ProviderCatalog} policies are compiled against. */
export const POLICY_CATALOG = Symbol('POLICY_CATALOG');

/**
 * Which provider ids a policy may name (every known one) and which a `route_to` may send calls to
 * (the activated ones), from configuration alone: the CLI checks policies without starting any
 * provider.
 */
export function policyCatalog(config: GatewayConfig): ProviderCatalog {
  const definitions = providerCatalog(config);
  return {
    known: new Set(definitions.map((d) => d.id)),
    active: new Set(definitions.filter((d) => d.isActive(config)).map((d) => d.id)),
  };
}
