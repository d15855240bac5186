import type { GatewayConfig } from '../../src/config/gateway-config.types.js';
import { fakeUpstreamConfig } from './fake-upstream.config.js';
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
  // Image fetching is overridden field by field, whatever `overrides.upstream` says of it.
  const upstream: GatewayConfig['upstream'] = {
    ...fakeUpstreamConfig(overrides.upstream),
    imageFetch: { ...fakeUpstreamConfig().imageFetch, ...overrides.imageFetch },
  };
  const gemini: GatewayConfig['providers']['gemini'] = {
    apiKey: FAKE_GEMINI_API_KEY,
    baseUrl,
    models: ['gemini-2.0-flash', 'gemini-embedding-001'],
    ...overrides.gemini,
  };
  return { upstream, providers: { gemini } } as unknown as GatewayConfig;
}
