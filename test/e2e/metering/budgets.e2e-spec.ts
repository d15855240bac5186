import { setTimeout as sleep } from 'node:timers/promises';
import { AuditTrail } from '../../../src/governance/audit/audit-trail.service.js';
import { call, expectError, TOKEN } from '../../helpers/admin-client.js';
import {
  type GatewayUnderTest,
  issueKey,
  postJson,
  readSse,
  startGateway,
} from '../../helpers/gateway-harness.js';

/**
 * Budgets end to end, counters in process (contract 11.3): the 402 before dispatch, the headers,
 * the soft-limit warning, reservations released by refused calls, admin CRUD and bad input.
 * Output tokens cost 1 USD per thousand and input is free, so a call with `max_tokens: n`
 * reserves exactly n/1000 USD.
 */
describe('metering: budgets', () => {
  let gw: GatewayUnderTest;
  const logs: string[] = [];
  const chat = () => `${gw.url}/v1/chat/completions`;
  const auth = (key: string) => ({ authorization: `Bearer ${key}` });
  const hello = (max: number) => ({
    model: 'mock/echo',
    max_tokens: max,
    messages: [{ role: 'user', content: 'Hello' }],
  });

  beforeAll(async () => {
    gw = await startGateway({
      env: { GATEWAY_ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'info' },
      logSink: logs,
      yaml: `
gateway:
  auth: { required: true }
  metering: { flush-interval-ms: 50 }
  providers:
    mock: { latency-ms: 0, stream-token-delay-ms: 0, response: "one two three four five six" }
  pricing:
    - { provider: mock, model: "*", input: 0, output: 1000 }
  budgets:
    - { id: platform-ceiling, tenant: ceiling, period: month, limit-usd: 0.01 }
  policies:
    - id: deny-forbidden
      dsl: |
        rules:
          - id: no-forbidden
            conditions:
              model: { denylist: ["mock/forbidden*"] }
            deny_message: "off limits"
`,
    });
  });
  afterAll(async () => {
    await gw.close();
  });

  async function budget(body: Record<string, unknown>) {
    const answer = await call(gw, 'POST', '/v1/admin/budgets', { body });
    expect(answer.status).toBe(201);
    return answer.body;
  }

  /** A tenant's audit records of one type, once the audit queue was committed. */
  async function auditEvents(type: string, tenant: string): Promise<{ payload: object }[]> {
    await gw.app.get(AuditTrail).flush();
    const answer = await call(gw, 'GET', `/v1/admin/audit?event_type=${type}&tenant=${tenant}`);
    expect(answer.status).toBe(200);
    return answer.body.data as { payload: object }[];
  }

  it('refuses with 402 budget_cap_hard before dispatch once the estimate would pass the limit', async () => {
    const key = await issueKey(gw, { tenant: 'hard' });
    const created = await budget({ tenant: 'hard', period: 'day', limit_usd: 0.25 });
    expect(created).toMatchObject({ object: 'budget', soft_limit_pct: 80, enabled: true });
    // Each call reserves 0.1 USD and really costs about 0.006 (six output tokens).
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await postJson(chat(), hello(100), auth(key))).status);
    expect(statuses).toEqual([200, 200, 200]);
    const refused = await postJson(chat(), hello(240), auth(key));
    expect(refused.status).toBe(402);
    expect(refused.body.error).toMatchObject({ type: 'budget_exceeded', code: 'budget_cap_hard' });
    expect(refused.body.error.message).toContain(created.id);
    expect(refused.body.error.message).toMatch(/day \d{4}-\d{2}-\d{2}/);
    const hard = await auditEvents('BUDGET_CAP_HARD', 'hard');
    expect(hard.length).toBeGreaterThan(0);
  });

  it('estimates a prompt that quotes a special token (<|endoftext|>) as text, never fails on it', async () => {
    const key = await issueKey(gw, { tenant: 'special-text' });
    await budget({ tenant: 'special-text', period: 'day', limit_usd: 100 });
    const content = 'Explain what <|endoftext|> and <|im_start|> mean in a prompt.';
    const answer = await postJson(
      chat(),
      { model: 'mock/echo', max_tokens: 10, messages: [{ role: 'user', content }] },
      auth(key),
    );
    expect(answer.status).toBe(200);
    // The mock reports the gateway's estimate: the markers counted as the characters they are.
    const { countTokens } = await import('gpt-tokenizer/encoding/o200k_base');
    const asText = countTokens(content, { disallowedSpecial: new Set() });
    expect((answer.body as { usage: { prompt_tokens: number } }).usage.prompt_tokens).toBe(
      4 + asText,
    );
  });

  it('reports the tightest remaining amount after the real cost, and the reservation on a stream', async () => {
    const key = await issueKey(gw, { tenant: 'remaining' });
    await budget({ tenant: 'remaining', period: 'month', limit_usd: 10 });
    await budget({ tenant: 'remaining', period: 'day', limit_usd: 1 });
    const json = await postJson(chat(), hello(100), auth(key));
    const cost = Number(json.headers.get('x-gateway-cost-usd'));
    expect(cost).toBeCloseTo(json.body.usage.completion_tokens / 1000, 9);
    expect(Number(json.headers.get('x-gateway-budget-remaining-usd'))).toBeCloseTo(1 - cost, 9);
    const stream = await fetch(chat(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth(key) },
      body: JSON.stringify({ ...hello(200), stream: true }),
    });
    await readSse(stream);
    expect(Number(stream.headers.get('x-gateway-budget-remaining-usd'))).toBeCloseTo(
      1 - cost - 0.2,
      9,
    );
  });

  it('warns past the soft limit with X-Budget-Warning, and records the warning once', async () => {
    const key = await issueKey(gw, { tenant: 'soft' });
    const { id } = await budget({
      tenant: 'soft',
      period: 'week',
      limit_usd: 1,
      soft_limit_pct: 10,
    });
    const first = await postJson(chat(), hello(50), auth(key));
    expect(first.headers.get('x-budget-warning')).toBeNull();
    const crossing = await postJson(chat(), hello(100), auth(key));
    expect(crossing.headers.get('x-budget-warning')).toBe('true');
    const after = await postJson(chat(), hello(100), auth(key));
    expect(after.headers.get('x-budget-warning')).toBe('true');
    const warnings = (await auditEvents('BUDGET_CAP_WARNING', 'soft')).filter((r) =>
      JSON.stringify(r.payload).includes(id),
    );
    expect(warnings).toHaveLength(1);
  });

  it('releases the reservation of a call refused at a later stage (policy), and keeps usage exact', async () => {
    const key = await issueKey(gw, { tenant: 'release' });
    const { id } = await budget({ tenant: 'release', period: 'day', limit_usd: 0.5 });
    for (let i = 0; i < 20; i++) {
      const denied = await postJson(chat(), { ...hello(400), model: 'mock/forbidden' }, auth(key));
      expect(denied.status).toBe(403);
    }
    const ok = await postJson(chat(), hello(400), auth(key));
    expect(ok.status).toBe(200);
    const usage = await eventually(id, (u) => u.reserved_usd === 0);
    expect(usage).toMatchObject({ budget_id: id, limit_usd: 0.5, reserved_usd: 0 });
    expect(usage.spent_usd).toBeCloseTo(ok.body.usage.completion_tokens / 1000, 9);
    expect(usage.remaining_usd).toBeCloseTo(0.5 - usage.spent_usd, 9);
    expect(Date.parse(usage.period_end) - Date.parse(usage.period_start)).toBe(86_400_000);
  });

  it('applies key budgets to that key only, and the configuration ceiling to its tenant', async () => {
    const capped = await issueKey(gw, { tenant: 'keyed' });
    const free = await issueKey(gw, { tenant: 'keyed' });
    const keys = await call(gw, 'GET', '/v1/admin/tenants/keyed/keys');
    const cappedId = keys.body.data.find((k: { id: string }) => k.id)?.id as string;
    await budget({ tenant: 'keyed', key_id: cappedId, period: 'day', limit_usd: 0.05 });
    const results = await Promise.all(
      [capped, free].map((k) => postJson(chat(), hello(100), auth(k)).then((r) => r.status)),
    );
    expect(results.sort()).toEqual([200, 402]);

    const ceilinged = await issueKey(gw, { tenant: 'ceiling' });
    expect((await postJson(chat(), hello(100), auth(ceilinged))).status).toBe(402);
    expectError(
      await call(gw, 'DELETE', '/v1/admin/budgets/platform-ceiling'),
      409,
      'budget_read_only',
      'id',
    );
  });

  it('lists, reads, changes and deletes budgets; a change applies to the next call', async () => {
    const key = await issueKey(gw, { tenant: 'crud' });
    const { id } = await budget({ id: 'crud-daily', tenant: 'crud', period: 'day', limit_usd: 0 });
    expect((await postJson(chat(), hello(10), auth(key))).status).toBe(402);
    const patched = await call(gw, 'PATCH', `/v1/admin/budgets/${id}`, { body: { limit_usd: 5 } });
    expect(patched.body).toMatchObject({ id, limit_usd: 5, period: 'day' });
    expect((await postJson(chat(), hello(10), auth(key))).status).toBe(200);
    const listed = await call(gw, 'GET', '/v1/admin/budgets?tenant=crud');
    expect(listed.body.data.map((b: { id: string }) => b.id)).toEqual([id]);
    expect((await call(gw, 'GET', `/v1/admin/budgets/${id}`)).body.source).toBe('api');
    expect((await call(gw, 'DELETE', `/v1/admin/budgets/${id}`)).status).toBe(204);
    expectError(await call(gw, 'GET', `/v1/admin/budgets/${id}`), 404, 'budget_not_found', 'id');
    expectError(
      await call(gw, 'POST', '/v1/admin/budgets', {
        body: { id: 'platform-ceiling', tenant: 'crud', period: 'day', limit_usd: 1 },
      }),
      409,
      'budget_read_only',
      'id',
    );
  });

  it('refuses bad budgets with the documented errors', async () => {
    await issueKey(gw, { tenant: 'bad' });
    const post = (body: Record<string, unknown>) => call(gw, 'POST', '/v1/admin/budgets', { body });
    const base = { tenant: 'bad', period: 'day', limit_usd: 1 };
    expectError(await post({ ...base, limit_usd: -1 }), 400, 'validation_error', 'limit_usd');
    expectError(await post({ ...base, limit_usd: 1e12 }), 400, 'validation_error', 'limit_usd');
    expectError(await post({ ...base, limit_usd: 'lots' }), 400, 'validation_error', 'limit_usd');
    expectError(await post({ ...base, period: 'year' }), 400, 'validation_error', 'period');
    expectError(
      await post({ ...base, soft_limit_pct: 101 }),
      400,
      'validation_error',
      'soft_limit_pct',
    );
    expectError(await post({ ...base, tenant: 'nobody' }), 404, 'tenant_not_found', 'tenant');
    expectError(await post({ ...base, key_id: 'key_nope' }), 404, 'api_key_not_found', 'key_id');
    await post({ ...base, id: 'twice' });
    expectError(await post({ ...base, id: 'twice' }), 409, 'budget_exists', 'id');
  });

  it('answers a 402 flood with 402s and leaves nothing reserved', async () => {
    const key = await issueKey(gw, { tenant: 'flood' });
    const { id } = await budget({ tenant: 'flood', period: 'day', limit_usd: 0.001 });
    const statuses = await Promise.all(
      Array.from({ length: 100 }, () =>
        postJson(chat(), hello(100), auth(key)).then((r) => r.status),
      ),
    );
    expect(new Set(statuses)).toEqual(new Set([402]));
    const usage = await eventually(id, () => true);
    expect(usage).toMatchObject({ spent_usd: 0, reserved_usd: 0 });
  });

  async function eventually(id: string, done: (usage: any) => boolean): Promise<any> {
    for (let i = 0; ; i++) {
      const usage = (await call(gw, 'GET', `/v1/admin/budgets/${id}/usage`)).body;
      if (done(usage) || i > 40) return usage;
      await sleep(25);
    }
  }
});
