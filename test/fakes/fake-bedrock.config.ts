import type { GatewayConfig } from '../../src/config/gateway-config.types.js';
import { fakeUpstreamConfig } from './fake-upstream.config.js';
import {
  FAKE_AWS_ACCESS_KEY_ID,
  FAKE_AWS_REGION,
  FAKE_AWS_SECRET_ACCESS_KEY,
} from './fake-bedrock.server.js';

export interface FakeBedrockConfigOverrides {
  readonly upstream?: Partial<GatewayConfig['upstream']>;
  readonly bedrock?: Partial<GatewayConfig['providers']['bedrock']>;
}

/**
 * A configuration that points the Bedrock provider at a fake server, for tests that build the
 * adapter directly. Only `upstream` and `providers.bedrock` are filled: those are all it reads.
 */
export function fakeBedrockConfig(
  endpoint: string,
  overrides: FakeBedrockConfigOverrides = {},
): GatewayConfig {
  const upstream = fakeUpstreamConfig(overrides.upstream);
  const bedrock: GatewayConfig['providers']['bedrock'] = {
    enabled: true,
    accessKey: FAKE_AWS_ACCESS_KEY_ID,
    secretKey: FAKE_AWS_SECRET_ACCESS_KEY,
    sessionToken: '',
    region: FAKE_AWS_REGION,
    baseUrl: endpoint,
    endpoint: '',
    models: [
      'bedrock/anthropic.claude-3-sonnet-20240229-v1:0',
      'bedrock/amazon.titan-embed-text-v2:0',
    ],
    ...overrides.bedrock,
  };
  return { upstream, providers: { bedrock } } as unknown as GatewayConfig;
}
