import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { TOKEN } from '../../helpers/admin-client.js';
import { type GatewayUnderTest, startGateway } from '../../helpers/gateway-harness.js';

const BUILT = resolve('dist/console');

/** The web console's serving (contract 17): where, with which headers, and only with the admin API. */
describe('Console: serving', () => {
  let gw: GatewayUnderTest;
  let script: string;

  beforeAll(async () => {
    if (!existsSync(resolve(BUILT, 'index.html'))) {
      throw new Error('dist/console/ does not exist: run `npm run build` first (npm test does).');
    }
    script = readdirSync(resolve(BUILT, 'assets')).find((name) => name.endsWith('.js'))!;
    gw = await startGateway({ env: { GATEWAY_ADMIN_TOKEN: TOKEN } });
  });
  afterAll(() => gw.close());

  const get = (path: string, init: RequestInit = {}) =>
    fetch(`${gw.url}${path}`, { redirect: 'manual', ...init });

  function expectStrictHeaders(response: Response) {
    const csp = response.headers.get('content-security-policy') ?? '';
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      "connect-src 'self'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "form-action 'self'",
    ]) {
      expect(csp.split('; ')).toContain(directive);
    }
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  }

  it('serves the page at /console/ with a strict CSP, never cached', async () => {
    const response = await get('/console/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expectStrictHeaders(response);
    const html = await response.text();
    expect(html).toContain(`/console/assets/${script}`);
    // Nothing inline for the CSP to refuse.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|style=/);
  });

  it('redirects /console to /console/ and answers the page for client routes', async () => {
    const bare = await get('/console');
    expect(bare.status).toBe(308);
    expect(bare.headers.get('location')).toBe('/console/');
    for (const route of ['/console/tenants', '/console/tenants/acme', '/console/audit?x=1']) {
      const response = await get(route);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('<div id="app">');
      expectStrictHeaders(response);
    }
  });

  it('serves hashed assets with a year-long immutable cache', async () => {
    const response = await get(`/console/assets/${script}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/javascript/);
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expectStrictHeaders(response);
  });

  it('answers 404, not the page, for an asset that does not exist or escapes its folder', async () => {
    for (const path of [
      '/console/assets/nope.js',
      '/console/assets/..%2f..%2fpackage.json',
      '/console/assets/..%5c..%5cpackage.json',
      '/console/assets/.env',
    ]) {
      const response = await get(path);
      expect([400, 404]).toContain(response.status);
      expect(await response.text()).not.toContain('<div id="app">');
    }
  });

  it('needs no admin token for the page itself (the API calls carry it)', async () => {
    expect((await get('/console/')).status).toBe(200);
    const api = await get('/v1/admin/tenants');
    expect(api.status).toBe(401);
  });

  it('leaves /v1 routing, its 404 envelope and the health paths alone', async () => {
    const missing = await get('/v1/nope');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-security-policy')).toBeNull();
    const body: any = await missing.json();
    expect(body.error.code).toBeDefined();
    const live = await get('/health/live');
    expect(live.status).toBe(200);
    expect(live.headers.get('content-security-policy')).toBeNull();
  });

  it('refuses methods other than GET on the page', async () => {
    const response = await get('/console/', { method: 'POST' });
    expect([404, 405]).toContain(response.status);
  });
});

describe('Console: with the admin API off', () => {
  let gw: GatewayUnderTest;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(() => gw.close());

  it('answers 404 at /console and under it', async () => {
    for (const path of ['/console', '/console/', '/console/tenants']) {
      const response = await fetch(`${gw.url}${path}`, { redirect: 'manual' });
      expect(response.status).toBe(404);
      expect(await response.text()).not.toContain('<div id="app">');
    }
  });
});
