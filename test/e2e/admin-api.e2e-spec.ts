import { createHash } from 'node:crypto';
import { type Answer, call, expectError, TOKEN } from '../helpers/admin-client.js';
import { type GatewayUnderTest, startGateway } from '../helpers/gateway-harness.js';

const ENCRYPTION_KEY = '5e'.repeat(32);
const CREDENTIAL = 'sk-e2e-tenant-credential-never-echoed';

/** Every admin route, with a body where it takes one. */
const ROUTES: [string, string, unknown][] = [
  ['POST', '/v1/admin/tenants', { id: 'guarded', name: 'Guarded' }],
  ['GET', '/v1/admin/tenants', undefined],
  ['GET', '/v1/admin/tenants/guarded', undefined],
  ['PATCH', '/v1/admin/tenants/guarded', { name: 'Renamed' }],
  ['DELETE', '/v1/admin/tenants/guarded', undefined],
  ['POST', '/v1/admin/tenants/guarded/suspend', undefined],
  ['POST', '/v1/admin/tenants/guarded/activate', undefined],
  ['POST', '/v1/admin/tenants/guarded/keys', { name: 'k' }],
  ['GET', '/v1/admin/tenants/guarded/keys', undefined],
  ['GET', '/v1/admin/keys/key_0000000000000000', undefined],
  ['POST', '/v1/admin/keys/key_0000000000000000/revoke', undefined],
  ['POST', '/v1/admin/keys/key_0000000000000000/rotate', {}],
  ['GET', '/v1/admin/openapi.json', undefined],
];

describe('Admin API without GATEWAY_ADMIN_TOKEN', () => {
  let gw: GatewayUnderTest;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(() => gw.close());

  it.each(ROUTES)(
    '%s %s answers 404 admin_api_disabled, saying how to turn it on',
    async (method: string, path: string, body: unknown) => {
      const answer = await call(gw, method, path, { body });
      expectError(answer, 404, 'admin_api_disabled');
      expect(answer.body.error.type).toBe('not_found_error');
      expect(answer.body.error.message).toContain('GATEWAY_ADMIN_TOKEN');
    },
  );
});

describe('Admin API', () => {
  let gw: GatewayUnderTest;
  beforeAll(async () => {
    gw = await startGateway({
      env: { GATEWAY_ADMIN_TOKEN: TOKEN, GATEWAY_ENCRYPTION_KEY: ENCRYPTION_KEY },
    });
  });
  afterAll(() => gw.close());

  describe('admin token', () => {
    it.each(ROUTES)(
      '%s %s without a token: 401 admin_token_required',
      async (method: string, path: string, body: unknown) => {
        const answer = await call(gw, method, path, { body, token: null });
        expectError(answer, 401, 'admin_token_required');
        expect(answer.body.error.type).toBe('authentication_error');
      },
    );

    it.each(ROUTES)(
      '%s %s with a wrong token: 401 invalid_admin_token',
      async (method: string, path: string, body: unknown) => {
        for (const token of ['wrong', `${TOKEN}x`, TOKEN.slice(1)]) {
          expectError(await call(gw, method, path, { body, token }), 401, 'invalid_admin_token');
        }
      },
    );

    it('is not an API key: a gateway key or a Basic header gets no further', async () => {
      const headers = {
        authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}`,
      };
      expectError(
        await call(gw, 'GET', '/v1/admin/tenants', { token: null, headers }),
        401,
        'admin_token_required',
      );
      expectError(
        await call(gw, 'GET', '/v1/admin/tenants', {
          token: null,
          headers: { 'x-api-key': TOKEN },
        }),
        401,
        'admin_token_required',
      );
    });

    it('with the right token, every route answers', async () => {
      const statuses: Record<string, number> = {};
      for (const [method, path, body] of ROUTES) {
        statuses[`${method} ${path}`] = (await call(gw, method, path, { body })).status;
      }
      expect(statuses).toEqual({
        'POST /v1/admin/tenants': 201,
        'GET /v1/admin/tenants': 200,
        'GET /v1/admin/tenants/guarded': 200,
        'PATCH /v1/admin/tenants/guarded': 200,
        // Deleted here, so the tenant routes after it answer tenant_not_found...
        'DELETE /v1/admin/tenants/guarded': 200,
        'POST /v1/admin/tenants/guarded/suspend': 404,
        'POST /v1/admin/tenants/guarded/activate': 404,
        'POST /v1/admin/tenants/guarded/keys': 404,
        'GET /v1/admin/tenants/guarded/keys': 404,
        // ...and the key routes api_key_not_found.
        'GET /v1/admin/keys/key_0000000000000000': 404,
        'POST /v1/admin/keys/key_0000000000000000/revoke': 404,
        'POST /v1/admin/keys/key_0000000000000000/rotate': 404,
        'GET /v1/admin/openapi.json': 200,
      });
    });
  });

  describe('tenants', () => {
    it('creates, reads, updates, suspends, activates and deletes a tenant', async () => {
      const created = await call(gw, 'POST', '/v1/admin/tenants', {
        body: {
          id: 'acme',
          name: 'Acme Corp',
          region: 'eu',
          tags: { team: 'payments' },
          settings: {
            pii_action: 'redact',
            rate_limits: { requests_per_minute: 600, tokens_per_minute: 100000 },
            allowed_providers: ['mock'],
          },
        },
      });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        object: 'tenant',
        id: 'acme',
        name: 'Acme Corp',
        status: 'active',
        region: 'eu',
        tags: { team: 'payments' },
        settings: {
          pii_action: 'REDACT',
          rate_limits: { requests_per_minute: 600, tokens_per_minute: 100000 },
          allowed_providers: ['mock'],
        },
        credential_providers: [],
        created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
        updated_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      });
      expect((await call(gw, 'GET', '/v1/admin/tenants/acme')).body).toEqual(created.body);
      expectError(
        await call(gw, 'POST', '/v1/admin/tenants', { body: { id: 'acme', name: 'Again' } }),
        409,
        'tenant_exists',
        'id',
      );

      const patched = await call(gw, 'PATCH', '/v1/admin/tenants/acme', {
        body: {
          name: 'Acme',
          region: null,
          settings: { pii_action: null, rate_limits: { requests_per_minute: 60 } },
        },
      });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({
        name: 'Acme',
        region: null,
        tags: { team: 'payments' },
        settings: { rate_limits: { requests_per_minute: 60 }, allowed_providers: ['mock'] },
      });
      expect(patched.body.settings.pii_action).toBeUndefined();

      const suspended = await call(gw, 'POST', '/v1/admin/tenants/acme/suspend');
      expect([suspended.status, suspended.body.status]).toEqual([200, 'suspended']);
      const activated = await call(gw, 'POST', '/v1/admin/tenants/acme/activate');
      expect([activated.status, activated.body.status]).toEqual([200, 'active']);

      const deleted = await call(gw, 'DELETE', '/v1/admin/tenants/acme');
      expect([deleted.status, deleted.body]).toEqual([
        200,
        { object: 'tenant', id: 'acme', deleted: true },
      ]);
      expectError(await call(gw, 'GET', '/v1/admin/tenants/acme'), 404, 'tenant_not_found', 'id');
      expectError(
        await call(gw, 'DELETE', '/v1/admin/tenants/acme'),
        404,
        'tenant_not_found',
        'id',
      );
    });

    it('generates an id when none is given', async () => {
      const created = await call(gw, 'POST', '/v1/admin/tenants', {
        body: { name: 'No Id Given' },
      });
      expect(created.status).toBe(201);
      expect(created.body.id).toMatch(/^[a-z0-9][a-z0-9-]{0,62}$/);
      await call(gw, 'DELETE', `/v1/admin/tenants/${created.body.id}`);
    });

    it('pages through tenants by id', async () => {
      for (const id of ['page-c', 'page-a', 'page-b']) {
        await call(gw, 'POST', '/v1/admin/tenants', { body: { id, name: id } });
      }
      const ids: string[] = [];
      let after = 'page';
      for (;;) {
        const page = await call(gw, 'GET', `/v1/admin/tenants?limit=2&after=${after}`);
        expect(page.status).toBe(200);
        expect(page.body.object).toBe('list');
        ids.push(...page.body.data.map((t: any) => t.id));
        if (!page.body.has_more) break;
        expect(page.body.data).toHaveLength(2);
        after = page.body.last_id;
      }
      expect(ids.filter((id) => id.startsWith('page-'))).toEqual(['page-a', 'page-b', 'page-c']);
      const first = await call(gw, 'GET', '/v1/admin/tenants?limit=1&after=page');
      expect(first.body).toMatchObject({ has_more: true, first_id: 'page-a', last_id: 'page-a' });
    });

    it('takes provider credentials and never answers with them', async () => {
      const answers: Answer[] = [];
      answers.push(
        await call(gw, 'POST', '/v1/admin/tenants', {
          body: {
            id: 'secretive',
            name: 'Secretive',
            credentials: { openai: { api_key: CREDENTIAL } },
          },
        }),
      );
      expect(answers[0]?.status).toBe(201);
      expect(answers[0]?.body.credential_providers).toEqual(['openai']);
      expect(answers[0]?.body.credentials).toBeUndefined();
      answers.push(await call(gw, 'GET', '/v1/admin/tenants/secretive'));
      answers.push(await call(gw, 'GET', '/v1/admin/tenants?limit=100'));
      answers.push(
        await call(gw, 'PATCH', '/v1/admin/tenants/secretive', {
          body: { credentials: { cohere: { api_key: `${CREDENTIAL}-2` } } },
        }),
      );
      expect(answers[3]?.body.credential_providers).toEqual(['cohere', 'openai']);
      answers.push(
        await call(gw, 'PATCH', '/v1/admin/tenants/secretive', {
          body: { credentials: { openai: null } },
        }),
      );
      expect(answers[4]?.body.credential_providers).toEqual(['cohere']);
      // A credential in an invalid request is not echoed either.
      answers.push(
        await call(gw, 'PATCH', '/v1/admin/tenants/secretive', {
          body: { credentials: { openai: CREDENTIAL } },
        }),
      );
      expectError(answers[5], 400, 'validation_error', 'credentials');
      for (const answer of answers) expect(answer.text).not.toContain(CREDENTIAL);
    });
  });

  describe('keys', () => {
    beforeAll(async () => {
      await call(gw, 'POST', '/v1/admin/tenants', { body: { id: 'keyed', name: 'Keyed' } });
    });

    it('shows a new key once; lists and reads show it masked, never its hash', async () => {
      const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
      const created = await call(gw, 'POST', '/v1/admin/tenants/keyed/keys', {
        body: { name: 'ci', scopes: ['models:read', 'completions:write'], expires_at: expiresAt },
      });
      expect(created.status).toBe(201);
      expect(created.headers.get('cache-control')).toBe('no-store');
      const plaintext: string = created.body.key;
      expect(plaintext).toMatch(/^gw_[0-9a-f]{40}$/);
      expect(created.body).toMatchObject({
        object: 'api_key',
        tenant_id: 'keyed',
        name: 'ci',
        display_prefix: plaintext.slice(0, 7),
        masked_key: `${plaintext.slice(0, 7)}…`,
        scopes: ['models:read', 'completions:write'],
        status: 'active',
        expires_at: expiresAt,
        revoked_at: null,
        last_used_at: null,
      });
      expect(created.body.warning).toMatch(/shown only this once/);

      const hash = createHash('sha256').update(plaintext).digest('hex');
      const list = await call(gw, 'GET', '/v1/admin/tenants/keyed/keys');
      const one = await call(gw, 'GET', `/v1/admin/keys/${created.body.id}`);
      expect(list.status).toBe(200);
      expect(list.body.data.map((k: any) => k.id)).toContain(created.body.id);
      expect(one.body).toEqual(list.body.data.find((k: any) => k.id === created.body.id));
      for (const answer of [list, one]) {
        expect(answer.text).not.toContain(plaintext);
        expect(answer.text).not.toContain(hash);
        expect(answer.text).not.toContain('"hash"');
        expect(answer.text).not.toContain('"key"');
      }
    });

    it('creates a key with every scope by default and names it "default"', async () => {
      const created = await call(gw, 'POST', '/v1/admin/tenants/keyed/keys', { body: {} });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        name: 'default',
        scopes: ['completions:write', 'embeddings:write', 'models:read'],
        expires_at: null,
      });
    });

    it('revokes and rotates, answering the new key once and the old key with its new expiry', async () => {
      const created = await call(gw, 'POST', '/v1/admin/tenants/keyed/keys', {
        body: { name: 'rotating' },
      });
      const before = Date.now();
      const rotated = await call(gw, 'POST', `/v1/admin/keys/${created.body.id}/rotate`, {
        body: { grace_seconds: 120 },
      });
      expect(rotated.status).toBe(200);
      expect(rotated.headers.get('cache-control')).toBe('no-store');
      expect(rotated.body.key).toMatch(/^gw_[0-9a-f]{40}$/);
      expect(rotated.body.key).not.toBe(created.body.key);
      expect(rotated.body).toMatchObject({
        name: 'rotating',
        tenant_id: 'keyed',
        status: 'active',
      });
      expect(rotated.body.previous).toMatchObject({
        id: created.body.id,
        replaced_by: rotated.body.id,
      });
      const expiry = Date.parse(rotated.body.previous.expires_at);
      expect(expiry).toBeGreaterThanOrEqual(before + 119_000);
      expect(expiry).toBeLessThanOrEqual(Date.now() + 121_000);
      expectError(
        await call(gw, 'POST', `/v1/admin/keys/${created.body.id}/rotate`, { body: {} }),
        400,
        'invalid_request',
        'keyId',
      );

      // Without a body, the configured grace period (auth.rotation-grace-seconds) applies.
      const other = await call(gw, 'POST', '/v1/admin/tenants/keyed/keys', {
        body: { name: 'no-body' },
      });
      const defaulted = await call(gw, 'POST', `/v1/admin/keys/${other.body.id}/rotate`);
      expect(defaulted.status).toBe(200);
      const grace = Date.parse(defaulted.body.previous.expires_at) - Date.now();
      expect(Math.abs(grace - gw.config.auth.rotationGraceSeconds * 1000)).toBeLessThan(10_000);

      const revoked = await call(gw, 'POST', `/v1/admin/keys/${rotated.body.id}/revoke`);
      expect(revoked.status).toBe(200);
      expect(revoked.body).toMatchObject({ id: rotated.body.id, status: 'revoked' });
      expect(revoked.body.revoked_at).toEqual(expect.any(String));
      expect(revoked.text).not.toContain(rotated.body.key);
      const again = await call(gw, 'POST', `/v1/admin/keys/${rotated.body.id}/revoke`);
      expect(again.body.revoked_at).toBe(revoked.body.revoked_at);
      expectError(
        await call(gw, 'POST', `/v1/admin/keys/${rotated.body.id}/rotate`),
        400,
        'invalid_request',
        'keyId',
      );
    });

    it('answers 404 for unknown tenants and keys', async () => {
      expectError(
        await call(gw, 'POST', '/v1/admin/tenants/nobody/keys', { body: {} }),
        404,
        'tenant_not_found',
        'id',
      );
      expectError(
        await call(gw, 'GET', '/v1/admin/tenants/nobody/keys'),
        404,
        'tenant_not_found',
        'id',
      );
      expectError(
        await call(gw, 'GET', '/v1/admin/keys/key_ffffffffffffffff'),
        404,
        'api_key_not_found',
        'key',
      );
    });
  });

  describe('OpenAPI document', () => {
    it('describes every admin route, its body and its answers, behind the admin token', async () => {
      const answer = await call(gw, 'GET', '/v1/admin/openapi.json');
      expect(answer.status).toBe(200);
      const doc = answer.body;
      expect(doc.openapi).toMatch(/^3\./);
      expect(doc.components.securitySchemes['admin-token']).toMatchObject({
        type: 'http',
        scheme: 'bearer',
      });
      for (const [method, path] of ROUTES) {
        const templated = path
          .replace('/guarded', '/{id}')
          .replace('key_0000000000000000', '{keyId}');
        const operation = doc.paths[templated]?.[method.toLowerCase()];
        expect({ route: `${method} ${templated}`, documented: operation !== undefined }).toEqual({
          route: `${method} ${templated}`,
          documented: true,
        });
        expect(operation.security).toEqual([{ 'admin-token': [] }]);
        expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['401', '404']));
      }
      const paths = Object.keys(doc.paths);
      expect(paths.every((p) => p.startsWith('/v1/admin/'))).toBe(true);
      const createKey = doc.paths['/v1/admin/tenants/{id}/keys'].post;
      expect(createKey.requestBody.content['application/json'].schema.$ref).toBe(
        '#/components/schemas/CreateApiKeyDto',
      );
      expect(createKey.responses['201'].content['application/json'].schema.$ref).toBe(
        '#/components/schemas/IssuedApiKeyView',
      );
      const schemas = doc.components.schemas;
      expect(schemas.CreateApiKeyDto.properties.scopes.items.enum).toEqual([
        'completions:write',
        'embeddings:write',
        'models:read',
      ]);
      expect(schemas.TenantSettingsDto.properties.pii_action.enum).toEqual([
        'LOG',
        'REDACT',
        'TOKENIZE',
        'BLOCK',
      ]);
      expect(schemas.TenantView.properties.credentials).toBeUndefined();
      expect(schemas.TenantView.properties.credential_providers).toBeDefined();
      expect(schemas.ApiKeyView.properties.hash).toBeUndefined();
      expect(doc.paths['/v1/admin/tenants'].get.parameters.map((p: any) => p.name).sort()).toEqual([
        'after',
        'limit',
      ]);
    });
  });
});
