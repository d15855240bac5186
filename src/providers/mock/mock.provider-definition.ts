import type { ProviderDefinition } from '../provider-definition.js';
import { MockAdapter } from './mock.adapter.js';
import { MockModule } from './mock.module.js';

/** `mock/` models, answered without an upstream; activated by `MOCK_PROVIDER_ENABLED=true`. */
export const MOCK_PROVIDER: ProviderDefinition = {
  id: 'mock',
  prefixes: ['mock/'],
  // Never wrapped by retries, the circuit breaker or timeouts (contract 5.1).
  resilient: false,
  // The override keys and the models callers see are the full `mock/...` names.
  stripPrefix: false,
  activationHint: 'MOCK_PROVIDER_ENABLED=true',
  isActive: (config) => config.providers.mock.enabled,
  module: MockModule,
  adapter: MockAdapter,
};
