import type { ProviderDefinition } from '../provider-definition.js';

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
  load: async () => {
    const { MockModule } = await import('./mock.module.js');
    const { MockAdapter } = await import('./mock.adapter.js');
    return { module: MockModule, adapter: MockAdapter };
  },
};
