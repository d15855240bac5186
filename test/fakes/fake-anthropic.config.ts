import type { GatewayConfig } from '../../src/config/gateway-config.types.js';
import { fakeUpstreamConfig } from './fake-upstream.config.js';
import { FAKE_ANTHROPIC_API_KEY } from './fake-anthropic.server.js';

export interface FakeAnthropicConfigOverrides {
  readonly upstream?: Partial<GatewayConfig['upstream']>;
  readonly anthropic?: Partial<GatewayConfig['providers']['anthropic']>;
}

/**
 * A configuration that points the Anthropic provider at a fake server, for tests that build the
 * adapter directly. Only `upstream` and `providers.anthropic` are filled: those are all the
 * adapter and the upstream HTTP client read. Limits are generous unless overridden.
 */
export function fakeAnthropicConfig(
  baseUrl: string,
  overrides: FakeAnthropicConfigOverrides = {},
): GatewayConfig {
  const upstream = fakeUpstreamConfig(overrides.upstream);
  const anthropic: GatewayConfig['providers']['anthropic'] = {
    apiKey: FAKE_ANTHROPIC_API_KEY,
    baseUrl,
    version: '2023-06-01',
    defaultMaxTokens: 1024,
    models: ['claude-sonnet-4-5', 'claude-3-haiku'],
    ...overrides.anthropic,
  };
  return { upstream, providers: { anthropic } } as unknown as GatewayConfig;
}
