import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type GatewayProcess, spawnGateway } from '../helpers/gateway-process.js';
import { TEST_REDIS_URL } from '../helpers/storage-harness.js';

const TRACE_HOOK = resolve('test/helpers/module-trace.hook.mjs');
const ADMIN_TOKEN = 'e2e-admin-token-long-enough-to-pass';
const KEY = `gw_${'5a'.repeat(20)}`;

/** The gateway's own built files among the loaded URLs, relative to dist/. */
const loadedFrom = (urls: readonly string[], pkg: string) =>
  urls.some((url) => url.includes(`/node_modules/${pkg}/`));

const gatewayFiles = (urls: readonly string[]) =>
  urls.flatMap((url) => {
    const match = /\/dist\/(.+\.js)$/.exec(url);
    return match ? [match[1]] : [];
  });

/**
 * The admin API's HTTP surface: its controllers, DTOs and OpenAPI document, the only files that
 * import `@nestjs/swagger`. They are asserted on rather than the package: the hook does not see
 * every file of a package imported late, by a dynamic import (seen with `@nestjs/swagger` itself).
 */
const adminApiFiles = (urls: readonly string[]) =>
  gatewayFiles(urls).filter(
    (file) =>
      (/^admin\/(.+\/)?[\w-]+\.controller\.js$/.test(file) &&
        file !== 'admin/admin-disabled.controller.js') ||
      file.startsWith('admin/dto/') ||
      file === 'admin/admin-api.module.js' ||
      file === 'admin/admin-openapi.service.js',
  );

/**
 * Issue 14 ("load what is activated"), for what start-up loads: a real gateway process with the
 * default configuration (no profile, no admin token, no bootstrap file) loads neither the admin
 * API's controllers, DTOs and OpenAPI machinery nor the bootstrap file's loader; configuring them
 * loads them. Module-load assertions, not RSS figures (those are the bench's).
 */
/** A process start under the trace hook, on a machine shared with other suites. */
const START_TIMEOUT_MS = 60_000;

describe('start-up loads only what is activated', () => {
  let dir: string;
  let gw: GatewayProcess | undefined;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gw-startup-lazy-'));
  });
  afterEach(async () => {
    await gw?.stop();
    gw = undefined;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Starts a replica with the trace hook and its own SQLite store; returns the loaded URLs. */
  const start = async (name: string, env: Record<string, string>) => {
    const trace = join(dir, `${name}.txt`);
    gw = await spawnGateway({
      // The default configuration: `npm start` sets no profile.
      GATEWAY_PROFILE: '',
      // Readiness wants an active provider; the mock's adapter is loaded only when active.
      MOCK_PROVIDER_ENABLED: 'true',
      GATEWAY_DATABASE_URL: `sqlite:${join(dir, `${name}.db`)}`,
      ...env,
      NODE_OPTIONS: `--import=${TRACE_HOOK}`,
      MODULE_TRACE_FILE: trace,
    });
    return () => readFileSync(trace, 'utf8').split('\n').filter(Boolean);
  };

  it(
    'by default, loads no admin API surface and no bootstrap file loader',
    async () => {
      const urls = await start('default', {});

      // The hook sees the gateway's own files: the admin module and its stand-in are among them.
      expect(gatewayFiles(urls()).filter((file) => file.startsWith('admin/admin'))).toEqual(
        expect.arrayContaining(['admin/admin.module.js', 'admin/admin-disabled.controller.js']),
      );
      expect(adminApiFiles(urls())).toEqual([]);
      expect(
        gatewayFiles(urls()).filter((file) => file.startsWith('admin/bootstrap/')),
      ).not.toContain('admin/bootstrap/bootstrap-file.loader.js');

      // The stand-in answers every admin path and method as the API does while it is off.
      for (const [method, path] of [
        ['GET', '/v1/admin/tenants'],
        ['POST', '/v1/admin/tenants'],
        ['DELETE', '/v1/admin/tenants/t1'],
        ['GET', '/v1/admin/openapi.json'],
        ['PATCH', '/v1/admin'],
      ]) {
        const answer = await fetch(`${gw!.url}${path}`, {
          method,
          ...(method === 'POST' || method === 'PATCH'
            ? { headers: { 'content-type': 'application/json' }, body: '{}' }
            : {}),
        });
        expect([method, path, answer.status]).toEqual([method, path, 404]);
        const body = (await answer.json()) as { error: { code: string; message: string } };
        expect(body.error.code).toBe('admin_api_disabled');
        expect(body.error.message).toContain('GATEWAY_ADMIN_TOKEN');
      }
      // Still nothing of the admin API loaded after those calls.
      expect(adminApiFiles(urls())).toEqual([]);

      // The price catalogue loads on the first call it prices, not at start-up. The trace sees
      // require() too: better-sqlite3's own files are loaded that way.
      expect(urls().some((url) => url.endsWith('/better-sqlite3/lib/database.js'))).toBe(true);
      expect(loadedFrom(urls(), '@pydantic/genai-prices')).toBe(false);
      // No GATEWAY_REDIS_URL: the Redis client is never loaded.
      expect(loadedFrom(urls(), 'ioredis')).toBe(false);
    },
    START_TIMEOUT_MS,
  );

  it(
    'with GATEWAY_REDIS_URL, loads the Redis client and connects',
    async () => {
      const urls = await start('redis', { GATEWAY_REDIS_URL: TEST_REDIS_URL });
      expect(loadedFrom(urls(), 'ioredis')).toBe(true);
      expect(gw!.output.join('\n')).toContain('Connected to Redis at');
      const ready = await fetch(`${gw!.url}/health/ready`);
      expect(ready.status).toBe(200);
    },
    START_TIMEOUT_MS,
  );

  it(
    'with an admin token, loads the admin API and serves its OpenAPI document',
    async () => {
      const urls = await start('admin', { GATEWAY_ADMIN_TOKEN: ADMIN_TOKEN });

      expect(adminApiFiles(urls())).toEqual(
        expect.arrayContaining([
          'admin/admin-api.module.js',
          'admin/tenants-admin.controller.js',
          'admin/admin-openapi.service.js',
        ]),
      );
      const answer = await fetch(`${gw!.url}/v1/admin/openapi.json`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      expect(answer.status).toBe(200);
      const document = (await answer.json()) as { paths: Record<string, unknown> };
      expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/v1/admin/tenants']));
    },
    START_TIMEOUT_MS,
  );

  it(
    'with a bootstrap file, loads its loader and applies it; a free call leaves the catalogue',
    async () => {
      const file = join(dir, 'bootstrap.yml');
      writeFileSync(
        file,
        'tenants:\n  - id: lazy\n    name: Lazy\n    keys:\n      - name: e2e\n        key: ${LAZY_KEY}\n',
      );
      const urls = await start('bootstrap', { GATEWAY_BOOTSTRAP_FILE: file, LAZY_KEY: KEY });

      expect(gatewayFiles(urls()).filter((file) => file.startsWith('admin/bootstrap/'))).toContain(
        'admin/bootstrap/bootstrap-file.loader.js',
      );
      expect(adminApiFiles(urls()).filter((f) => !f.startsWith('admin/dto/'))).toEqual([]);
      expect(gw!.output.join('\n')).toContain('Bootstrap file applied: 1 tenant(s)');

      // A call priced by configuration (the mock is free) leaves the price catalogue unloaded.
      const call = await fetch(`${gw!.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
        body: JSON.stringify({
          model: 'mock/default',
          messages: [{ role: 'user', content: 'Hi' }],
        }),
      });
      expect(call.status).toBe(200);
      expect(loadedFrom(urls(), '@pydantic/genai-prices')).toBe(false);
    },
    START_TIMEOUT_MS,
  );
});
