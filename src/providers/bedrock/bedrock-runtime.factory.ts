import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { GatewayConfig } from '../../config/gateway-config.types.js';

/**
 * The one Bedrock Runtime client of an adapter. Everything the SDK would otherwise look up on its
 * own (credential chain, retry policy, auth scheme, HTTP/2 handler) is fixed here from the
 * gateway's configuration:
 * - static credentials from `gateway.providers.bedrock`, signed with SigV4 even when the process
 *   happens to carry an `AWS_BEARER_TOKEN_BEDROCK`;
 * - one attempt: retries, with their budget and failover, belong to the gateway, not the SDK;
 * - an HTTP/1.1 keep-alive handler, bounded by `gateway.upstream` (the SDK's default is HTTP/2,
 *   which neither VPC proxies nor the test fake speak).
 */
export function createBedrockRuntimeClient(config: GatewayConfig): BedrockRuntimeClient {
  const settings = config.providers.bedrock;
  const limits = config.upstream;
  const agentOptions = {
    keepAlive: true,
    maxSockets: limits.connectionsPerHost,
    timeout: limits.keepAliveTimeoutMs,
  };
  return new BedrockRuntimeClient({
    region: settings.region,
    ...(settings.endpoint === '' ? {} : { endpoint: settings.endpoint }),
    credentials: {
      accessKeyId: settings.accessKey,
      secretAccessKey: settings.secretKey,
      ...(settings.sessionToken === '' ? {} : { sessionToken: settings.sessionToken }),
    },
    authSchemePreference: ['sigv4'],
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: limits.connectTimeoutMs,
      // Until the response headers; the adapter bounds whole calls and stream silences itself.
      requestTimeout: limits.requestTimeoutMs,
      throwOnRequestTimeout: true,
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
    }),
  });
}
