import type { GatewayConfig } from '../../src/config/gateway-config.types.js';

/**
 * The `upstream` block of a configuration that points a provider at a fake server, for tests
 * that build an adapter directly: limits generous enough that only a test's own override (or the
 * fake's plan) makes a call time out. Image fetching is off unless overridden.
 */
export function fakeUpstreamConfig(
  overrides: Partial<GatewayConfig['upstream']> = {},
): GatewayConfig['upstream'] {
  return {
    connectTimeoutMs: 2_000,
    requestTimeoutMs: 10_000,
    streamTimeoutMs: 10_000,
    streamIdleTimeoutMs: 10_000,
    connectionsPerHost: 8,
    keepAliveTimeoutMs: 5_000,
    maxResponseBytes: 128 * 1024 * 1024,
    imageFetch: {
      enabled: false,
      maxBytes: 1_000_000,
      timeoutMs: 2_000,
      allowPrivateNetworks: false,
    },
    ...overrides,
  };
}
