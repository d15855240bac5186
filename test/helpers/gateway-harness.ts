import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createGatewayApp } from '../../src/app.factory.js';
import { JsonLogger } from '../../src/common/logging/json-logger.service.js';
import { ApiKeyService } from '../../src/governance/auth/api-key.service.js';
import type { ApiKeyScope } from '../../src/storage/api-key.types.js';
import { TenantRepository } from '../../src/storage/tenant.repository.js';
import { loadGatewayConfig } from '../../src/config/config.loader.js';
import type { GatewayConfig } from '../../src/config/gateway-config.types.js';

export interface GatewayUnderTest {
  readonly app: NestFastifyApplication;
  readonly config: GatewayConfig;
  /** e.g. `http://127.0.0.1:41234` */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Creates a tenant (unless it exists) and issues it a real API key through the running gateway's
 * own services, as the admin API would; returns the plaintext, shown once.
 */
export async function issueKey(
  gw: GatewayUnderTest,
  options: { tenant?: string; scopes?: ApiKeyScope[]; name?: string } = {},
): Promise<string> {
  const tenantId = options.tenant ?? 'test-tenant';
  const tenants = gw.app.get(TenantRepository);
  if (!(await tenants.get(tenantId))) await tenants.create({ id: tenantId, name: tenantId });
  const { plaintext } = await gw.app
    .get(ApiKeyService)
    .create(tenantId, { name: options.name ?? 'e2e', scopes: options.scopes });
  return plaintext;
}

export interface StartOptions {
  /** Environment the configuration is read from (no process.env involved). */
  env?: Record<string, string>;
  /** Extra YAML layered last, as an operator's GATEWAY_CONFIG_ADDITIONAL_LOCATION file would be. */
  yaml?: string;
  /** Receives every JSON log line the gateway writes (at LOG_LEVEL), instead of silence. */
  logSink?: string[];
  /**
   * One upstream attempt per call: no retries and no circuit breaker, for suites that script one
   * upstream answer per request (error mapping). Routing's own suites test those policies.
   */
  singleAttempt?: boolean;
}

const SINGLE_ATTEMPT_YAML = [
  'gateway:',
  '  resilience:',
  '    retry: { max-attempts: 1 }',
  '    circuit-breaker: { enabled: false }',
].join('\n');

/**
 * Boots the real gateway (same factory as `main.ts`) on a loopback port, configured through the
 * real loader from the shipped `config/` plus the given env and YAML.
 */
export async function startGateway(options: StartOptions = {}): Promise<GatewayUnderTest> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-e2e-'));
  const env: Record<string, string> = {
    GATEWAY_PROFILE: 'ci',
    LOG_LEVEL: 'silent',
    // Each gateway under test gets its own empty in-memory SQLite database.
    GATEWAY_DATABASE_URL: 'sqlite::memory:',
    ...options.env,
  };
  const layers: string[] = [];
  if (options.singleAttempt) layers.push(SINGLE_ATTEMPT_YAML);
  if (options.yaml !== undefined) layers.push(options.yaml);
  if (layers.length > 0) {
    env.GATEWAY_CONFIG_ADDITIONAL_LOCATION = layers
      .map((text, i) => {
        const file = join(dir, `extra-${i}.yml`);
        writeFileSync(file, text);
        return file;
      })
      .join(',');
  }
  const config = loadGatewayConfig({ env });
  const sink = options.logSink;
  const logger = sink
    ? new JsonLogger(config.logging.level, { write: (line: string) => void sink.push(line) })
    : false;
  const app = await createGatewayApp(config, logger);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  if (address === null || typeof address === 'string') throw new Error('gateway did not bind');
  return {
    app,
    config,
    url: `http://127.0.0.1:${address.port}`,
    close: async () => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** POSTs JSON and returns status, headers and the parsed body. */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: any }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? JSON.parse(text) : undefined,
  };
}

/** POSTs a JSON body and hands back the raw response (for streams, read with {@link readSse}). */
export function postRaw(url: string, body: unknown, signal?: AbortSignal): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  });
}

/** Reads a whole SSE response body and splits it into its `data:` payloads. */
export async function readSse(response: Response): Promise<{ raw: string; data: string[] }> {
  const raw = await response.text();
  const data = raw
    .split('\n\n')
    .filter((frame) => frame.length > 0)
    .map((frame) => {
      if (!frame.startsWith('data: ')) throw new Error(`not an SSE data frame: ${frame}`);
      return frame.slice('data: '.length);
    });
  return { raw, data };
}

/** A response body as loosely typed JSON, for assertions. */
export async function readJson(response: Response): Promise<any> {
  return response.json();
}
