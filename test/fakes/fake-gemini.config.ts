import type { GatewayConfig } from '../../src/config/gateway-config.types.js';
import { FAKE_GEMINI_API_KEY } from './fake-gemini.server.js';

export interface FakeGeminiConfigOverrides {
  readonly upstream?: Partial<GatewayConfig['upstream']>;
  readonly imageFetch?: Partial<GatewayConfig['upstream']['imageFetch']>;
  readonly gemini?: Partial<GatewayConfig['providers']['gemini']>;
}

/**
 * A configuration that points the Gemini provider at a fake server, for tests that build the
 * adapter directly. Only `upstream` and `providers.gemini` are filled: those are all the adapter,
 * the upstream HTTP client and the image fetcher read. Limits are generous unless overridden.
 */
export function fakeGeminiConfig(
  baseUrl: string,
  overrides: FakeGeminiConfigOverrides = {},
): GatewayConfig {
  const upstream: GatewayConfig['upstream'] = {
    connectTimeoutMs: 2_000,
    requestTimeoutMs: 10_000,
    streamTimeoutMs: 10_000,
    streamIdleTimeoutMs: 10_000,
    connectionsPerHost: 8,
    keepAliveTimeoutMs: 5_000,
    ...overrides.upstream,
    imageFetch: {
      enabled: false,
      maxBytes: 1_000_000,
      timeoutMs: 2_000,
      allowPrivateNetworks: false,
      ...overrides.imageFetch,
    },
  };
  const gemini: GatewayConfig['providers']['gemini'] = {
    apiKey: FAKE_GEMINI_API_KEY,
    baseUrl,
    models: ['gemini-2.0-flash', 'gemini-embedding-001'],
    ...overrides.gemini,
  };
  return { upstream, providers: { gemini } } as unknown as GatewayConfig;
}
