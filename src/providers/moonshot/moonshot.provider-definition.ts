import { compatibleBinding } from '../openai-compatible/openai-compatible.binding.js';
import type { ProviderDefinition } from '../provider-definition.js';

/** Moonshot (contract section 5): `moonshot-*` and `kimi-*` models, prefix kept. */
export const MOONSHOT_PROVIDER: ProviderDefinition = {
  id: 'moonshot',
  prefixes: ['moonshot', 'kimi'],
  stripPrefix: false,
  activationHint: 'MOONSHOT_API_KEY',
  isActive: (config) => config.providers.moonshot.apiKey.trim() !== '',
  load: () =>
    compatibleBinding(() => import('./moonshot.adapter.js').then((m) => m.MoonshotAdapter)),
};
