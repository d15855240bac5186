import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, expectError, TOKEN } from '../helpers/admin-client.js';
import { type GatewayUnderTest, postJson, startGateway } from '../helpers/gateway-harness.js';

/** Configuration policies: read-only on the API. */
const CONFIG_YAML = `
gateway:
  policies:
    - id: cfg-global
      dsl: |
        rules:
          - id: no-turbo
            priority: 10
            conditions:
              model: { denylist: ["gpt-4-turbo*"] }
            deny_message: "gpt-4-turbo is retired here; use gpt-4o."
          - id: big-output
            conditions:
              max_tokens: { limit: 1000 }
            action: WARN_AGENT
            warn_message: "max_tokens above 1000 costs more"
    - id: cfg-acme
      tenant: acme
      dsl: |
        rules:
          - id: acme-to-openai
            conditions:
              model: { denylist: ["mock/route-me"] }
            action: ROUTE
            route_to: { provider: openai, model: gpt-4o-mini }
`;

/** A bootstrap-file policy: read-only on the API too. */
const BOOTSTRAP_YAML = `
tenants:
  - { id: acme, name: Acme }
  - { id: beta, name: Beta }
policies:
  - id: boot-beta
    workspace: beta
    status: SHADOW
    dsl: |
      rules:
        - id: shadow-all
          conditions:
            model: { allowlist: ["nothing"] }
`;

const DENY_MOCK =
  'rules:\n  - id: stop\n    conditions:\n      model: { denylist: ["mock/deny-me"] }\n';

/** A DSL of one rule with the given conditions (YAML flow mapping) and extra keys. */
function rule(conditions: string, extra = ''): string {
  return `rules:\n  - id: r1\n    conditions: ${conditions}\n${extra}`;
}

/** The policy admin API (contract 10), against the real app and its SQLite store. */
describe('Admin API: policies', () => {
  let gw: GatewayUnderTest;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-admin-policies-'));
    const bootstrap = join(dir, 'bootstrap.yml');
    writeFileSync(bootstrap, BOOTSTRAP_YAML);
    gw = await startGateway({
      env: {
        GATEWAY_ADMIN_TOKEN: TOKEN,
        GATEWAY_BOOTSTRAP_FILE: bootstrap,
        // Activates openai as a route_to target; nothing calls it (dry-runs call no provider).
        OPENAI_API_KEY: 'sk-e2e-never-called',
      },
      yaml: CONFIG_YAML,
    });
  });
  afterAll(async () => {
    await gw.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('admin token and OpenAPI', () => {
    const routes: [string, string, unknown][] = [
      ['GET', '/v1/admin/policies', undefined],
      ['POST', '/v1/admin/policies', { dsl: DENY_MOCK }],
      ['GET', '/v1/admin/policies/cfg-global', undefined],
      ['PUT', '/v1/admin/policies/p1', { dsl: DENY_MOCK }],
      ['DELETE', '/v1/admin/policies/p1', undefined],
      ['POST', '/v1/admin/policies/dry-run', { request: { model: 'gpt-4o' } }],
    ];

    it.each(routes)('%s %s needs the admin token', async (method, path, body) => {
      expectError(await call(gw, method, path, { body, token: null }), 401, 'admin_token_required');
      expectError(
        await call(gw, method, path, { body, token: 'wrong' }),
        401,
        'invalid_admin_token',
      );
    });

    it('documents every policy route in /v1/admin/openapi.json', async () => {
      const doc = (await call(gw, 'GET', '/v1/admin/openapi.json')).body;
      expect(Object.keys(doc.paths['/v1/admin/policies']).sort()).toEqual(['get', 'post']);
      expect(Object.keys(doc.paths['/v1/admin/policies/{id}']).sort()).toEqual([
        'delete',
        'get',
        'put',
      ]);
      expect(Object.keys(doc.paths['/v1/admin/policies/dry-run'])).toEqual(['post']);
      const list = doc.paths['/v1/admin/policies'].get;
      expect(list.tags).toEqual(['policies']);
      expect(list.security).toEqual([{ 'admin-token': [] }]);
      expect(list.parameters.map((p: any) => p.name)).toEqual(['tenant']);
      expect(doc.paths['/v1/admin/policies'].post.responses['201']).toBeDefined();
      expect(doc.paths['/v1/admin/policies/{id}'].delete.responses['204']).toBeDefined();
      expect(doc.paths['/v1/admin/policies/dry-run'].post.responses['200']).toBeDefined();
      expect(Object.keys(doc.components.schemas)).toEqual(
        expect.arrayContaining([
          'PolicyView',
          'PolicyListView',
          'PolicyInputDto',
          'PolicyDryRunDto',
          'PolicyDryRunView',
        ]),
      );
      expect(doc.components.schemas.PolicyView.required).toEqual(
        expect.arrayContaining(['id', 'tenant', 'status', 'dsl', 'source', 'read_only']),
      );
    });
  });

  describe('list and get', () => {
    it('lists configuration and bootstrap policies, read-only, with their source', async () => {
      const answer = await call(gw, 'GET', '/v1/admin/policies');
      expect(answer.status).toBe(200);
      expect(answer.body.object).toBe('list');
      const byId = Object.fromEntries(answer.body.data.map((p: any) => [p.id, p]));
      expect(byId['cfg-global']).toEqual({
        object: 'policy',
        id: 'cfg-global',
        tenant: null,
        status: 'ACTIVE',
        dsl: expect.stringContaining('id: no-turbo'),
        source: 'config',
        read_only: true,
        created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T.*Z$/),
        updated_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T.*Z$/),
      });
      expect(byId['cfg-acme']).toMatchObject({ tenant: 'acme', source: 'config', read_only: true });
      expect(byId['boot-beta']).toMatchObject({
        tenant: 'beta',
        status: 'SHADOW',
        source: 'bootstrap',
        read_only: true,
      });
    });

    it("filters by tenant: only that tenant's own policies", async () => {
      const acme = await call(gw, 'GET', '/v1/admin/policies?tenant=acme');
      expect(acme.status).toBe(200);
      expect(acme.body.data.map((p: any) => p.id)).toEqual(['cfg-acme']);
      const beta = await call(gw, 'GET', '/v1/admin/policies?tenant=beta');
      expect(beta.body.data.map((p: any) => p.id)).toEqual(['boot-beta']);
      expect((await call(gw, 'GET', '/v1/admin/policies?tenant=nobody')).body.data).toEqual([]);
      expectError(
        await call(gw, 'GET', '/v1/admin/policies?tenant=Not%20A%20Tenant'),
        400,
        'validation_error',
        'tenant',
      );
      expectError(
        await call(gw, 'GET', '/v1/admin/policies?colour=red'),
        400,
        'unsupported_capability',
        'colour',
      );
    });

    it('gets configuration and bootstrap policies by id; 404 for an unknown one', async () => {
      const config = await call(gw, 'GET', '/v1/admin/policies/cfg-global');
      expect(config.status).toBe(200);
      expect(config.body).toMatchObject({ id: 'cfg-global', source: 'config', read_only: true });
      const boot = await call(gw, 'GET', '/v1/admin/policies/boot-beta');
      expect(boot.body).toMatchObject({ id: 'boot-beta', source: 'bootstrap', read_only: true });
      expectError(
        await call(gw, 'GET', '/v1/admin/policies/nothing-here'),
        404,
        'policy_not_found',
        'id',
      );
      expectError(await call(gw, 'GET', '/v1/admin/policies/_bad'), 400, 'validation_error', 'id');
    });
  });

  describe('create, replace, delete', () => {
    it('runs the whole life of a policy, enforced at once', async () => {
      const chat = () =>
        postJson(`${gw.url}/v1/chat/completions`, {
          model: 'mock/deny-me',
          messages: [{ role: 'user', content: 'Hi' }],
        });
      expect((await chat()).status).toBe(200);

      const created = await call(gw, 'POST', '/v1/admin/policies', {
        body: { id: 'life', dsl: DENY_MOCK },
      });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        object: 'policy',
        id: 'life',
        tenant: null,
        status: 'ACTIVE',
        dsl: DENY_MOCK,
        source: 'api',
        read_only: false,
        created_at: expect.any(String),
        updated_at: created.body.created_at,
      });
      const denied = await chat();
      expect(denied.status).toBe(403);
      expect(denied.body.error.code).toBe('policy_denied');

      expect((await call(gw, 'GET', '/v1/admin/policies/life')).body).toEqual(created.body);
      const listed = (await call(gw, 'GET', '/v1/admin/policies')).body.data;
      expect(listed.map((p: any) => p.id)).toEqual(['boot-beta', 'cfg-acme', 'cfg-global', 'life']);

      // A full replacement: absent fields take their defaults; the body may repeat the id.
      const replaced = await call(gw, 'PUT', '/v1/admin/policies/life', {
        body: { id: 'life', status: 'draft', tenant: 'acme', dsl: DENY_MOCK },
      });
      expect(replaced.status).toBe(200);
      expect(replaced.body).toMatchObject({
        id: 'life',
        tenant: 'acme',
        status: 'DRAFT',
        source: 'api',
        created_at: created.body.created_at,
      });
      expect(Date.parse(replaced.body.updated_at)).toBeGreaterThanOrEqual(
        Date.parse(created.body.updated_at),
      );
      // DRAFT: stored only.
      expect((await chat()).status).toBe(200);
      const again = await call(gw, 'PUT', '/v1/admin/policies/life', { body: { dsl: DENY_MOCK } });
      expect(again.body).toMatchObject({ tenant: null, status: 'ACTIVE' });
      expect((await chat()).status).toBe(403);

      const deleted = await call(gw, 'DELETE', '/v1/admin/policies/life');
      expect(deleted.status).toBe(204);
      expect(deleted.text).toBe('');
      expect((await chat()).status).toBe(200);
      expectError(await call(gw, 'GET', '/v1/admin/policies/life'), 404, 'policy_not_found', 'id');
      expectError(
        await call(gw, 'DELETE', '/v1/admin/policies/life'),
        404,
        'policy_not_found',
        'id',
      );
      expectError(
        await call(gw, 'PUT', '/v1/admin/policies/life', { body: { dsl: DENY_MOCK } }),
        404,
        'policy_not_found',
        'id',
      );
    });

    it("generates an id when none is given; accepts DVARA's workspace; refuses a taken id", async () => {
      const created = await call(gw, 'POST', '/v1/admin/policies', {
        body: { workspace: 'beta', status: 'shadow', dsl: DENY_MOCK },
      });
      expect(created.status).toBe(201);
      expect(created.body.id).toMatch(/^pol_[0-9a-f]{12}$/);
      expect(created.body).toMatchObject({ tenant: 'beta', status: 'SHADOW' });
      const taken = await call(gw, 'POST', '/v1/admin/policies', {
        body: { id: created.body.id, dsl: DENY_MOCK },
      });
      expectError(taken, 409, 'policy_exists', 'id');
      expect((await call(gw, 'DELETE', `/v1/admin/policies/${created.body.id}`)).status).toBe(204);
    });

    it('refuses a tenant that does not exist', async () => {
      for (const [method, path] of [
        ['POST', '/v1/admin/policies'],
        ['PUT', '/v1/admin/policies/whatever'],
      ] as const) {
        const answer = await call(gw, method, path, {
          body: { tenant: 'acme-typo', dsl: DENY_MOCK },
        });
        if (method === 'PUT') expectError(answer, 404, 'policy_not_found', 'id');
        else expectError(answer, 404, 'tenant_not_found', 'tenant');
      }
      await call(gw, 'POST', '/v1/admin/policies', { body: { id: 'for-typo', dsl: DENY_MOCK } });
      expectError(
        await call(gw, 'PUT', '/v1/admin/policies/for-typo', {
          body: { workspace: 'acme-typo', dsl: DENY_MOCK },
        }),
        404,
        'tenant_not_found',
        'tenant',
      );
      await call(gw, 'DELETE', '/v1/admin/policies/for-typo');
    });

    it('refuses a body id that differs from the path', async () => {
      await call(gw, 'POST', '/v1/admin/policies', { body: { id: 'pinned', dsl: DENY_MOCK } });
      const answer = await call(gw, 'PUT', '/v1/admin/policies/pinned', {
        body: { id: 'other', dsl: DENY_MOCK },
      });
      expectError(answer, 400, 'validation_error', 'id');
      expect(answer.body.error.message).toContain("'pinned'");
      expect((await call(gw, 'GET', '/v1/admin/policies/other')).status).toBe(404);
      await call(gw, 'DELETE', '/v1/admin/policies/pinned');
    });
  });

  describe('read-only policies', () => {
    it.each(['cfg-global', 'cfg-acme', 'boot-beta'])(
      '%s cannot be replaced or deleted: 409 policy_read_only',
      async (id) => {
        const replace = await call(gw, 'PUT', `/v1/admin/policies/${id}`, {
          body: { dsl: DENY_MOCK },
        });
        expectError(replace, 409, 'policy_read_only', 'id');
        expect(replace.body.error.type).toBe('conflict_error');
        expectError(
          await call(gw, 'DELETE', `/v1/admin/policies/${id}`),
          409,
          'policy_read_only',
          'id',
        );
        expect((await call(gw, 'GET', `/v1/admin/policies/${id}`)).body.read_only).toBe(true);
      },
    );

    it("cannot be shadowed: creating a configuration policy's id is 409 policy_read_only", async () => {
      const answer = await call(gw, 'POST', '/v1/admin/policies', {
        body: { id: 'cfg-global', dsl: DENY_MOCK },
      });
      expectError(answer, 409, 'policy_read_only', 'id');
      expect(answer.body.error.message).toContain('gateway.policies');
      // A bootstrap policy's id is taken, as any stored one.
      expectError(
        await call(gw, 'POST', '/v1/admin/policies', { body: { id: 'boot-beta', dsl: DENY_MOCK } }),
        409,
        'policy_exists',
        'id',
      );
    });
  });

  describe('bad input: a clear 400 naming the field', () => {
    const invalid: [string, unknown, string][] = [
      ['a 5 MB DSL', { dsl: `# ${'x'.repeat(5 * 1024 * 1024)}\n${DENY_MOCK}` }, 'dsl'],
      ['a YAML syntax error', { dsl: 'rules:\n  - id: r1\n    conditions: { model: [\n' }, 'dsl'],
      ['empty conditions', { dsl: rule('{}') }, 'r1.conditions'],
      [
        'a 10,000-star glob',
        { dsl: rule(`{ model: { denylist: ["${'*'.repeat(10_000)}"] } }`) },
        'r1.conditions.model.denylist',
      ],
      [
        'an unknown time zone',
        {
          dsl: rule('{ time_of_day: { between: ["08:00", "20:00"], timezone: Mars/Olympus } }'),
        },
        'r1.conditions.time_of_day.timezone',
      ],
      [
        'route_to naming an inactive provider',
        {
          dsl: rule(
            '{ model: { denylist: [x] } }',
            '    action: ROUTE\n    route_to: { provider: mistral }\n',
          ),
        },
        'r1.route_to.provider',
      ],
      [
        'an unknown provider',
        { dsl: rule('{ provider: { denylist: [not-a-vendor] } }') },
        'r1.conditions.provider.denylist',
      ],
      [
        'ROUTE without route_to',
        { dsl: rule('{ model: { denylist: [x] } }', '    action: ROUTE\n') },
        'r1.route_to',
      ],
      [
        '`condition` for `conditions`',
        { dsl: 'rules:\n  - id: r1\n    condition: { model: { denylist: [x] } }\n' },
        'r1.condition',
      ],
      ['an unknown entry field', { name: 'x', dsl: DENY_MOCK }, 'name'],
      ['no dsl', { id: 'no-dsl' }, 'dsl'],
      ['an empty dsl', { dsl: '  \n' }, 'dsl'],
      ['a bad status', { status: 'enabled', dsl: DENY_MOCK }, 'status'],
      ['a bad id', { id: 'has spaces', dsl: DENY_MOCK }, 'id'],
      ['a bad tenant id', { tenant: 'Acme Corp', dsl: DENY_MOCK }, 'tenant'],
    ];

    it.each(invalid)('%s: 400 policy_invalid', async (_what, body, param) => {
      for (const [method, path] of [
        ['POST', '/v1/admin/policies'],
        ['PUT', '/v1/admin/policies/some-policy'],
      ] as const) {
        const sent =
          method === 'PUT' && (body as any).id !== undefined
            ? { ...(body as object), id: 'some-policy' }
            : body;
        if (method === 'PUT' && param === 'id') continue;
        const answer = await call(gw, method, path, { body: sent });
        expectError(answer, 400, 'policy_invalid', param);
        expect(answer.body.error.type).toBe('invalid_request_error');
        expect(answer.body.error.message.length).toBeLessThan(1000);
      }
    });

    it.each([
      ['an array', '[]'],
      ['a string', '"rules"'],
      ['null', 'null'],
      ['a number', '5'],
    ])('a body that is %s: 400 invalid_request', async (_what, text) => {
      expectError(
        await call(gw, 'POST', '/v1/admin/policies', { body: text }),
        400,
        'invalid_request',
      );
      expectError(
        await call(gw, 'PUT', '/v1/admin/policies/x', { body: text }),
        400,
        'invalid_request',
      );
    });

    it('malformed JSON: 400 invalid_json', async () => {
      expectError(
        await call(gw, 'POST', '/v1/admin/policies', { body: '{"dsl": ' }),
        400,
        'invalid_json',
      );
    });

    it('stores nothing that was refused', async () => {
      const ids = (await call(gw, 'GET', '/v1/admin/policies')).body.data.map((p: any) => p.id);
      expect(ids).toEqual(['boot-beta', 'cfg-acme', 'cfg-global']);
    });
  });

  describe('dry-run', () => {
    const dryRun = (body: unknown) => call(gw, 'POST', '/v1/admin/policies/dry-run', { body });

    it('DENY: the first matching DENY rule, with its message', async () => {
      const answer = await dryRun({ request: { model: 'gpt-4-turbo-preview', messages: [] } });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        decision: 'DENY',
        matched: [{ policy_id: 'cfg-global', rule_id: 'no-turbo', action: 'DENY' }],
        message: 'gpt-4-turbo is retired here; use gpt-4o.',
        warnings: [],
        route_to: null,
      });
    });

    it('WARN: every matching WARN_AGENT rule', async () => {
      const answer = await dryRun({ request: { model: 'gpt-4o', max_tokens: 4000 } });
      expect(answer.body).toEqual({
        decision: 'WARN',
        matched: [{ policy_id: 'cfg-global', rule_id: 'big-output', action: 'WARN_AGENT' }],
        message: null,
        warnings: ['max_tokens above 1000 costs more'],
        route_to: null,
      });
    });

    it("ROUTE: a tenant's ROUTE rule, for that tenant only", async () => {
      const routed = await dryRun({ request: { model: 'mock/route-me' }, tenant: 'acme' });
      expect(routed.body).toEqual({
        decision: 'ROUTE',
        matched: [{ policy_id: 'cfg-acme', rule_id: 'acme-to-openai', action: 'ROUTE' }],
        message: null,
        warnings: [],
        route_to: { provider: 'openai', model: 'gpt-4o-mini' },
      });
      const other = await dryRun({ request: { model: 'mock/route-me' }, tenant: 'beta' });
      expect(other.body.decision).toBe('ALLOW');
    });

    it('ALLOW: no rule matches', async () => {
      const answer = await dryRun({ request: { model: 'gpt-4o' } });
      expect(answer.body).toEqual({
        decision: 'ALLOW',
        matched: [],
        message: null,
        warnings: [],
        route_to: null,
      });
    });

    it('evaluates a draft DSL instead of the policies in force', async () => {
      const draft = await dryRun({
        request: {
          model: 'gpt-4o',
          tools: [{ type: 'function', function: { name: 'shell_exec' } }],
        },
        dsl: 'rules:\n  - id: no-shell\n    conditions:\n      tools: { denylist: [shell_exec] }\n    deny_message: no shell\n',
      });
      expect(draft.body).toEqual({
        decision: 'DENY',
        matched: [{ policy_id: 'draft', rule_id: 'no-shell', action: 'DENY' }],
        message: 'no shell',
        warnings: [],
        route_to: null,
      });
      // The policies in force are not consulted: gpt-4-turbo passes the draft.
      const passes = await dryRun({ request: { model: 'gpt-4-turbo' }, dsl: DENY_MOCK });
      expect(passes.body.decision).toBe('ALLOW');
    });

    it('refuses bad input with a 400 naming the field', async () => {
      expectError(await dryRun({}), 400, 'validation_error', 'request');
      expectError(await dryRun({ request: [] }), 400, 'validation_error', 'request');
      expectError(await dryRun({ request: {} }), 400, 'validation_error', 'request.model');
      expectError(
        await dryRun({ request: { model: 'gpt-4o' }, dsl: rule('{}') }),
        400,
        'policy_invalid',
        'r1.conditions',
      );
      expectError(
        await dryRun({ request: { model: 'gpt-4o' }, dsl: 'rules: [' }),
        400,
        'policy_invalid',
        'dsl',
      );
      expectError(
        await dryRun({ request: { model: 'gpt-4o' }, tenant: 'Bad Tenant' }),
        400,
        'validation_error',
        'tenant',
      );
      expectError(
        await dryRun({ request: { model: 'gpt-4o' }, colour: 'red' }),
        400,
        'unsupported_capability',
        'colour',
      );
      expectError(await dryRun('[]'), 400, 'invalid_request');
      expectError(
        await dryRun({ request: { model: 'gpt-4o' }, tenant: 'nobody' }),
        404,
        'tenant_not_found',
        'tenant',
      );
    });
  });
});
