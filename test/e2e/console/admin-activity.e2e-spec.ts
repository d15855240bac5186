import { call, expectError, TOKEN } from '../../helpers/admin-client.js';
import {
  type GatewayUnderTest,
  issueKey,
  postJson,
  startGateway,
} from '../../helpers/gateway-harness.js';

/** GET /v1/admin/activity: calls over time for the console's overview (contract 17). */
describe('Admin API: activity', () => {
  let gw: GatewayUnderTest;
  let started: number;

  beforeAll(async () => {
    started = Date.now();
    gw = await startGateway({
      env: { GATEWAY_ADMIN_TOKEN: TOKEN },
      yaml: `
gateway:
  auth: { required: true }
  providers:
    mock: { latency-ms: 0, response: "alpha beta gamma delta" }
  pricing:
    - { provider: mock, model: "mock/*", input: 1000, output: 2000 }
`,
    });
    const acme = await issueKey(gw, { tenant: 'acme' });
    const beta = await issueKey(gw, { tenant: 'beta' });
    const chat = (key: string, model: string) =>
      postJson(
        `${gw.url}/v1/chat/completions`,
        { model, messages: [{ role: 'user', content: 'hello' }] },
        { authorization: `Bearer ${key}` },
      );
    for (let i = 0; i < 3; i += 1) expect((await chat(acme, 'mock/a')).status).toBe(200);
    expect((await chat(beta, 'mock/b')).status).toBe(200);
    expect((await chat('gw_' + 'f'.repeat(40), 'mock/a')).status).toBe(401);
    // A refusal with a known tenant: a bad request is a call too.
    expect((await chat(acme, '')).status).toBe(400);
  });
  afterAll(() => gw.close());

  it('counts every call, refusals as errors, per bucket and in total', async () => {
    const answer = await call(gw, 'GET', '/v1/admin/activity?bucket=minute');
    expect(answer.status).toBe(200);
    const body = answer.body;
    expect(body).toMatchObject({ object: 'activity', bucket: 'minute', truncated: false });
    expect(body.total.requests).toBe(6);
    expect(body.total.errors).toBe(2);
    expect(body.total.input_tokens).toBeGreaterThan(0);
    expect(body.total.cost_usd).toBeGreaterThan(0);
    // 24 hours of minutes, every one present, in order, summing to the total.
    expect(body.series).toHaveLength(24 * 60 + 1);
    const starts = body.series.map((p: { start: string }) => Date.parse(p.start));
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
    const sum = (name: string) =>
      body.series.reduce((n: number, p: Record<string, number>) => n + p[name], 0);
    expect(sum('requests')).toBe(6);
    expect(sum('errors')).toBe(2);
    expect(body.top_tenants[0]).toMatchObject({ name: 'acme', requests: 4, errors: 1 });
    expect(body.top_tenants[1]).toMatchObject({ name: 'beta', requests: 1, errors: 0 });
    expect(body.top_models.map((m: { name: string }) => m.name)).toContain('mock/a');
    // Keys by id: the ones that made calls (the unknown key has none).
    expect(body.top_keys).toHaveLength(2);
    expect(body.top_keys[0]).toMatchObject({ requests: 4, errors: 1 });
    expect(body.top_keys[0].name).toMatch(/^key_/);
    const one = await call(gw, 'GET', '/v1/admin/activity?top=1');
    expect(one.body.top_tenants).toHaveLength(1);
    expect(one.body.top_keys).toHaveLength(1);
  });

  it('filters by tenant and range', async () => {
    const from = new Date(started - 60_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const answer = await call(
      gw,
      'GET',
      `/v1/admin/activity?tenant=beta&bucket=minute&from=${from}&to=${to}`,
    );
    expect(answer.status).toBe(200);
    expect(answer.body.total.requests).toBe(1);
    expect(answer.body.top_tenants).toEqual([expect.objectContaining({ name: 'beta' })]);
    const before = await call(
      gw,
      'GET',
      `/v1/admin/activity?from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z`,
    );
    expect(before.body.total.requests).toBe(0);
    expect(before.body.series).toHaveLength(24);
  });

  it('refuses bad input with the field named', async () => {
    for (const top of ['0', '1001', 'x'])
      expectError(
        await call(gw, 'GET', `/v1/admin/activity?top=${top}`),
        400,
        'validation_error',
        'top',
      );
    expectError(
      await call(gw, 'GET', '/v1/admin/activity?bucket=week'),
      400,
      'validation_error',
      'bucket',
    );
    expectError(
      await call(gw, 'GET', '/v1/admin/activity?from=yesterday'),
      400,
      'validation_error',
      'from',
    );
    expectError(
      await call(gw, 'GET', '/v1/admin/activity?tenant=Not%20A%20Slug'),
      400,
      'validation_error',
      'tenant',
    );
    expectError(
      await call(gw, 'GET', '/v1/admin/activity?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z'),
      400,
      'validation_error',
      'to',
    );
    expectError(
      await call(
        gw,
        'GET',
        '/v1/admin/activity?bucket=minute&from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z',
      ),
      400,
      'validation_error',
      'bucket',
    );
    expectError(
      await call(gw, 'GET', '/v1/admin/activity?extra=1'),
      400,
      'unsupported_capability',
      'extra',
    );
  });

  it('needs the admin token and is in the OpenAPI document', async () => {
    expectError(
      await call(gw, 'GET', '/v1/admin/activity', { token: null }),
      401,
      'admin_token_required',
    );
    expectError(
      await call(gw, 'GET', '/v1/admin/activity', { token: 'nope' }),
      401,
      'invalid_admin_token',
    );
    const doc = await call(gw, 'GET', '/v1/admin/openapi.json');
    expect(doc.body.paths['/v1/admin/activity'].get).toBeDefined();
  });
});
