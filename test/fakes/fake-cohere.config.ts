import type { GatewayConfig } from '../../src/config/gateway-config.types.js';
import { fakeUpstreamConfig } from './fake-upstream.config.js';
import { FAKE_COHERE_API_KEY } from './fake-cohere.server.js';

export interface FakeCohereConfigOverrides {
  readonly upstream?: Partial<GatewayConfig['upstream']>;
  readonly cohere?: Partial<GatewayConfig['providers']['cohere']>;
}

/**
 * A configuration that points the Cohere provider at a fake server, for tests that build the
 * adapter directly. Only `upstream` and `providers.cohere` are filled: those are all it reads.
 */
export function fakeCohereConfig(
  baseUrl: string,
  overrides: FakeCohereConfigOverrides = {},
): GatewayConfig {
  const upstream = fakeUpstreamConfig(overrides.upstream);
  const cohere: GatewayConfig['providers']['cohere'] = {
    apiKey: FAKE_COHERE_API_KEY,
    baseUrl,
    embedInputType: 'search_document',
    models: ['command-r-plus', 'embed-v4.0'],
    ...overrides.cohere,
  };
  return { upstream, providers: { cohere } } as unknown as GatewayConfig;
}
