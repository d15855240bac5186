import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Readable, Transform } from 'node:stream';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler, type NodeHttpHandlerOptions } from '@smithy/node-http-handler';
import type { GatewayConfig } from '../../config/gateway-config.types.js';
import { UpstreamHttpError } from '../http/upstream-http.error.js';

/**
 * The one Bedrock Runtime client of an adapter. Everything the SDK would otherwise look up on its
 * own (credential chain, retry policy, auth scheme, HTTP/2 handler) is fixed here from the
 * gateway's configuration:
 * - static credentials from `gateway.providers.bedrock`, signed with SigV4 even when the process
 *   happens to carry an `AWS_BEARER_TOKEN_BEDROCK`;
 * - one attempt: retries, with their budget and failover, belong to the gateway, not the SDK;
 * - an HTTP/1.1 keep-alive handler, bounded by `gateway.upstream` (the SDK's default is HTTP/2,
 *   which neither VPC proxies nor the test fake speak), that also cuts a JSON answer past
 *   `max-response-bytes` (the SDK would read any size into memory).
 */
export function createBedrockRuntimeClient(config: GatewayConfig): BedrockRuntimeClient {
  const settings = config.providers.bedrock;
  const limits = config.upstream;
  // `base-url` is the contract's name; `endpoint` its synonym (the schema refuses two values).
  const endpoint = settings.baseUrl === '' ? settings.endpoint : settings.baseUrl;
  const agentOptions = {
    keepAlive: true,
    maxSockets: limits.connectionsPerHost,
    timeout: limits.keepAliveTimeoutMs,
  };
  return new BedrockRuntimeClient({
    region: settings.region,
    ...(endpoint === '' ? {} : { endpoint }),
    credentials: {
      accessKeyId: settings.accessKey,
      secretAccessKey: settings.secretKey,
      ...(settings.sessionToken === '' ? {} : { sessionToken: settings.sessionToken }),
    },
    authSchemePreference: ['sigv4'],
    maxAttempts: 1,
    requestHandler: new BoundedNodeHttpHandler(limits.maxResponseBytes, {
      connectionTimeout: limits.connectTimeoutMs,
      // Until the response headers; the adapter bounds whole calls and stream silences itself.
      requestTimeout: limits.requestTimeoutMs,
      throwOnRequestTimeout: true,
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
    }),
  });
}

/**
 * The SDK's handler, with JSON answers (InvokeModel, Converse) counted as they are read: past
 * `maxBytes` the body is destroyed with a `malformed_response`. Event streams are left alone:
 * their frames carry their own lengths and checksums, and a stream's length is bounded by time.
 */
class BoundedNodeHttpHandler extends NodeHttpHandler {
  constructor(
    private readonly maxBytes: number,
    options: NodeHttpHandlerOptions,
  ) {
    super(options);
  }

  override async handle(...args: Parameters<NodeHttpHandler['handle']>) {
    const result = await super.handle(...args);
    const { response } = result;
    const type = String(response.headers['content-type'] ?? '');
    if (response.body instanceof Readable && !type.includes('eventstream')) {
      response.body = capped(response.body, this.maxBytes);
    }
    return result;
  }
}

function capped(body: Readable, maxBytes: number): Readable {
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size <= maxBytes) return done(null, chunk);
      body.destroy();
      done(
        new UpstreamHttpError(
          'malformed_response',
          `answer body larger than gateway.upstream.max-response-bytes (${maxBytes})`,
        ),
      );
    },
  });
  body.on('error', (error) => counter.destroy(error));
  return body.pipe(counter);
}
