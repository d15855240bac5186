import type { GatewayConfig } from '../../src/config/gateway-config.types.js';
import { fakeUpstreamConfig } from './fake-upstream.config.js';
import { FAKE_OPENAI_API_KEY } from './fake-openai.server.js';

export interface FakeOpenAiConfigOverrides {
  readonly upstream?: Partial<GatewayConfig['upstream']>;
  readonly openai?: Partial<GatewayConfig['providers']['openai']>;
}

/**
 * A configuration that points the OpenAI provider at a fake server, for tests that build the
 * adapter or the upstream HTTP client directly. Only `upstream` and `providers.openai` are
 * filled: those are all the two read. Limits are generous unless overridden.
 */
export function fakeOpenAiConfig(
  baseUrl: string,
  overrides: FakeOpenAiConfigOverrides = {},
): GatewayConfig {
  const upstream = fakeUpstreamConfig(overrides.upstream);
  const openai: GatewayConfig['providers']['openai'] = {
    apiKey: FAKE_OPENAI_API_KEY,
    baseUrl,
    organization: '',
    project: '',
    models: ['gpt-4o', 'text-embedding-3-small'],
    ...overrides.openai,
  };
  return { upstream, providers: { openai } } as unknown as GatewayConfig;
}
