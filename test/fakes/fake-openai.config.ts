import type { GatewayConfig } from '../../src/config/gateway-config.types.js';
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
  const upstream: GatewayConfig['upstream'] = {
    connectTimeoutMs: 2_000,
    requestTimeoutMs: 10_000,
    streamTimeoutMs: 10_000,
    streamIdleTimeoutMs: 10_000,
    connectionsPerHost: 8,
    keepAliveTimeoutMs: 5_000,
    imageFetch: {
      enabled: false,
      maxBytes: 1_000_000,
      timeoutMs: 2_000,
      allowPrivateNetworks: false,
    },
    ...overrides.upstream,
  };
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
