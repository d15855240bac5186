import { call, expectError, TOKEN } from '../helpers/admin-client.js';
import { type GatewayUnderTest, startGateway } from '../helpers/gateway-harness.js';

describe('Admin API: malformed input', () => {
  let gw: GatewayUnderTest;
  beforeAll(async () => {
    gw = await startGateway({ env: { GATEWAY_ADMIN_TOKEN: TOKEN } });
    await call(gw, 'POST', '/v1/admin/tenants', { body: { id: 'keyed', name: 'Keyed' } });
  });
  afterAll(() => gw.close());

  const future = () => new Date(Date.now() + 3_600_000).toISOString();

  it.each([
    [
      'a bad tenant id in the path',
      'GET',
      '/v1/admin/tenants/Not_An_Id',
      undefined,
      'validation_error',
      'id',
    ],
    [
      'a too long tenant id',
      'GET',
      `/v1/admin/tenants/${'a'.repeat(64)}`,
      undefined,
      'validation_error',
      'id',
    ],
    ['a bad key id', 'GET', '/v1/admin/keys/key!', undefined, 'validation_error', 'keyId'],
    [
      'a bad tenant id in the body',
      'POST',
      '/v1/admin/tenants',
      { id: 'Acme!', name: 'A' },
      'validation_error',
      'id',
    ],
    [
      'a tenant without a name',
      'POST',
      '/v1/admin/tenants',
      { id: 'x' },
      'validation_error',
      'name',
    ],
    [
      'an unknown status',
      'PATCH',
      '/v1/admin/tenants/keyed',
      { status: 'paused' },
      'validation_error',
      'status',
    ],
    [
      'an unknown PII action',
      'PATCH',
      '/v1/admin/tenants/keyed',
      { settings: { pii_action: 'shred' } },
      'validation_error',
      'settings.pii_action',
    ],
    [
      'a zero rate limit',
      'PATCH',
      '/v1/admin/tenants/keyed',
      { settings: { rate_limits: { requests_per_minute: 0 } } },
      'validation_error',
      'settings.rate_limits.requests_per_minute',
    ],
    [
      'a fractional rate limit',
      'PATCH',
      '/v1/admin/tenants/keyed',
      { settings: { rate_limits: { tokens_per_minute: 2.5 } } },
      'validation_error',
      'settings.rate_limits.tokens_per_minute',
    ],
    [
      'allowed providers that are not strings',
      'PATCH',
      '/v1/admin/tenants/keyed',
      { settings: { allowed_providers: [1] } },
      'validation_error',
      'settings.allowed_providers',
    ],
    [
      'an unknown field',
      'POST',
      '/v1/admin/tenants',
      { name: 'x', owner: 'me' },
      'unsupported_capability',
      'owner',
    ],
    [
      'an unknown settings field',
      'PATCH',
      '/v1/admin/tenants/keyed',
      { settings: { colour: 'red' } },
      'validation_error',
      'settings.colour',
    ],
    [
      'settings as an array on create',
      'POST',
      '/v1/admin/tenants',
      { name: 'x', settings: [] },
      'validation_error',
      'settings',
    ],
    [
      'settings as an array of settings on create',
      'POST',
      '/v1/admin/tenants',
      { name: 'x', settings: [{ pii_action: 'BLOCK' }] },
      'validation_error',
      'settings',
    ],
    [
      'settings as an array on update',
      'PATCH',
      '/v1/admin/tenants/keyed',
      { settings: [] },
      'validation_error',
      'settings',
    ],
    [
      'rate limits as an array',
      'PATCH',
      '/v1/admin/tenants/keyed',
      { settings: { rate_limits: [] } },
      'validation_error',
      'settings.rate_limits',
    ],
    [
      'tags as an array on create',
      'POST',
      '/v1/admin/tenants',
      { name: 'x', tags: [] },
      'validation_error',
      'tags',
    ],
    [
      'tags as an array on update',
      'PATCH',
      '/v1/admin/tenants/keyed',
      { tags: ['team'] },
      'validation_error',
      'tags',
    ],
    [
      'an unknown scope',
      'POST',
      '/v1/admin/tenants/keyed/keys',
      { scopes: ['admin:all'] },
      'validation_error',
      'scopes',
    ],
    [
      'no scope at all',
      'POST',
      '/v1/admin/tenants/keyed/keys',
      { scopes: [] },
      'validation_error',
      'scopes',
    ],
    [
      'an expiry in the past',
      'POST',
      '/v1/admin/tenants/keyed/keys',
      { expires_at: '2020-01-01T00:00:00Z' },
      'validation_error',
      'expires_at',
    ],
    [
      'an expiry that is no date',
      'POST',
      '/v1/admin/tenants/keyed/keys',
      { expires_at: 'tomorrow' },
      'validation_error',
      'expires_at',
    ],
    [
      'a negative grace period',
      'POST',
      '/v1/admin/keys/key_0000000000000000/rotate',
      { grace_seconds: -1 },
      'validation_error',
      'grace_seconds',
    ],
    [
      'a grace period as text',
      'POST',
      '/v1/admin/keys/key_0000000000000000/rotate',
      { grace_seconds: '60' },
      'validation_error',
      'grace_seconds',
    ],
    [
      'a page size of zero',
      'GET',
      '/v1/admin/tenants?limit=0',
      undefined,
      'validation_error',
      'limit',
    ],
    [
      'a page size that is no number',
      'GET',
      '/v1/admin/tenants?limit=ten',
      undefined,
      'validation_error',
      'limit',
    ],
    [
      'a bad cursor',
      'GET',
      '/v1/admin/tenants?after=NOT%20AN%20ID',
      undefined,
      'validation_error',
      'after',
    ],
  ])('%s: 400 %s', async (_what, method, path, body, code, param) => {
    const answer = await call(gw, method, path, { body });
    expectError(answer, 400, code, param);
    expect(answer.body.error.type).toBe('invalid_request_error');
  });

  it('creates no tenant and changes none when settings is an array', async () => {
    const before = (await call(gw, 'GET', '/v1/admin/tenants?limit=100')).body.data.length;
    await call(gw, 'POST', '/v1/admin/tenants', {
      body: { id: 'listed', name: 'L', settings: [] },
    });
    expect((await call(gw, 'GET', '/v1/admin/tenants/listed')).status).toBe(404);
    expect((await call(gw, 'GET', '/v1/admin/tenants?limit=100')).body.data).toHaveLength(before);
    // Objects and null still work as before.
    const created = await call(gw, 'POST', '/v1/admin/tenants', {
      body: { id: 'shaped', name: 'S', settings: { pii_action: 'redact' } },
    });
    expect([created.status, created.body.settings.pii_action]).toEqual([201, 'REDACT']);
    const cleared = await call(gw, 'PATCH', '/v1/admin/tenants/shaped', {
      body: { settings: null },
    });
    expect([cleared.status, cleared.body.settings]).toEqual([200, {}]);
  });

  it('refuses bad JSON and bodies that are not objects', async () => {
    expectError(
      await call(gw, 'POST', '/v1/admin/tenants', { body: '{"name": "x",' }),
      400,
      'invalid_json',
    );
    expectError(
      await call(gw, 'POST', '/v1/admin/tenants', { body: '[1, 2]' }),
      400,
      'invalid_request',
    );
    expectError(
      await call(gw, 'POST', `/v1/admin/tenants/keyed/keys`, { body: '"text"' }),
      400,
      'invalid_request',
    );
    const wrongType = await call(gw, 'POST', '/v1/admin/tenants', {
      body: 'name=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect([wrongType.status, wrongType.body.error.code]).toEqual([415, 'unsupported_media_type']);
    // A valid future expiry still passes after all those refusals.
    const ok = await call(gw, 'POST', '/v1/admin/tenants/keyed/keys', {
      body: { expires_at: future() },
    });
    expect(ok.status).toBe(201);
  });

  it.each([
    [
      'tags on create',
      'POST',
      '/v1/admin/tenants',
      (deep: string) => `{"name":"x","tags":${deep}}`,
      'tags',
    ],
    [
      'settings on update',
      'PATCH',
      '/v1/admin/tenants/keyed',
      (deep: string) => `{"settings":{"rate_limits":${deep}}}`,
      'settings',
    ],
    [
      'a key body',
      'POST',
      '/v1/admin/tenants/keyed/keys',
      (deep: string) => `{"name":${deep}}`,
      'name',
    ],
    [
      'an optional rotation body',
      'POST',
      '/v1/admin/keys/key_0000000000000000/rotate',
      (deep: string) => `{"grace_seconds":${deep}}`,
      'grace_seconds',
    ],
  ])(
    'refuses %s nested 10,000 levels deep with validation_error',
    async (_w, method, path, body, param) => {
      for (const deep of [
        '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000),
        '['.repeat(10_000) + ']'.repeat(10_000),
      ]) {
        const answer = await call(gw, method, path, { body: body(deep) });
        expectError(answer, 400, 'validation_error', param);
        expect(answer.body.error.message).toContain('64 levels');
      }
      // The gateway still serves the admin API.
      expect((await call(gw, 'GET', '/v1/admin/tenants/keyed')).status).toBe(200);
    },
  );

  it('answers an unknown admin path 404 and a wrong method 405', async () => {
    expect((await call(gw, 'GET', '/v1/admin/no-such-thing')).body.error.code).toBe(
      'resource_not_found',
    );
    const wrongMethod = await call(gw, 'PUT', '/v1/admin/tenants', { body: { name: 'x' } });
    expect([wrongMethod.status, wrongMethod.body.error.code]).toEqual([405, 'method_not_allowed']);
    expect(wrongMethod.headers.get('allow')).toBe('GET, POST');
  });
});
