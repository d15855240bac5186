import { FAKE_OPENAI_API_KEY, FakeOpenAiServer } from '../fakes/fake-openai.server.js';
import { AuditTrail } from '../../src/governance/audit/audit-trail.service.js';
import { call, TOKEN } from '../helpers/admin-client.js';
import {
  type GatewayUnderTest,
  issueKey,
  postJson,
  readSse,
  startGateway,
} from '../helpers/gateway-harness.js';

const SECRET = 'e2e-audit-secret-0123456789abcdefghijklm';
const PROMPT = 'my-very-private-prompt-text';

/**
 * The audit trail end to end (contract 12): one GATEWAY_RESPONSE per /v1 call whatever refused it,
 * policy decisions and admin changes beside them, never content or secrets, and the admin API
 * that lists, exports and verifies it.
 */
describe('audit trail', () => {
  const fake = new FakeOpenAiServer();
  let gw: GatewayUnderTest;
  let key: string;
  const chat = () => `${gw.url}/v1/chat/completions`;
  const bearer = (k: string) => ({ authorization: `Bearer ${k}` });
  const hello = { model: 'mock/echo', messages: [{ role: 'user', content: PROMPT }] };

  /** Records carrying a trace id, after the queue was committed. */
  async function recordsOf(traceId: string): Promise<any[]> {
    await gw.app.get(AuditTrail).flush();
    const answer = await call(gw, 'GET', `/v1/admin/audit?trace_id=${traceId}`);
    expect(answer.status).toBe(200);
    return answer.body.data;
  }

  async function download(path: string) {
    const response = await fetch(`${gw.url}${path}`, { headers: bearer(TOKEN) });
    return { status: response.status, headers: response.headers, text: await response.text() };
  }

  beforeAll(async () => {
    const { baseUrl } = await fake.start();
    gw = await startGateway({
      singleAttempt: true,
      env: {
        GATEWAY_ADMIN_TOKEN: TOKEN,
        GATEWAY_AUDIT_HMAC_SECRET: SECRET,
        OPENAI_API_KEY: FAKE_OPENAI_API_KEY,
        OPENAI_BASE_URL: baseUrl,
      },
      yaml: `
gateway:
  auth: { required: true }
  providers:
    mock: { latency-ms: 0, stream-token-delay-ms: 0, response: "one two three" }
  policies:
    - id: house-rules
      dsl: |
        rules:
          - id: no-forbidden
            conditions:
              model: { denylist: ["mock/forbidden*"] }
`,
    });
    key = await issueKey(gw, { tenant: 'acme' });
  });
  afterEach(() => fake.reset());
  afterAll(async () => {
    await gw.close();
    await fake.close();
  });

  it('writes one GATEWAY_RESPONSE for an answered call, with the trace id of X-Trace-ID and no content', async () => {
    const res = await postJson(chat(), hello, bearer(key));
    expect(res.status).toBe(200);
    const traceId = res.headers.get('x-trace-id') as string;
    const records = await recordsOf(traceId);
    expect(records).toHaveLength(1);
    const [record] = records;
    expect(record).toMatchObject({
      tenant: 'acme',
      key_id: expect.any(String),
      event_type: 'GATEWAY_RESPONSE',
      writer: expect.any(String),
      seq: expect.any(Number),
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      hmac: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(record.payload).toMatchObject({
      trace_id: traceId,
      method: 'POST',
      path: '/v1/chat/completions',
      status: 200,
      error_code: null,
      provider: 'mock',
      model: 'mock/echo',
      attempts: 1,
      fallback: false,
      stream: false,
      input_tokens: expect.any(Number),
      pii_request_types: {},
    });
    for (const field of [
      'upstream_model',
      'latency_ms',
      'ttft_ms',
      'output_tokens',
      'estimated',
      'cost_usd',
      'policy_decision',
      'policy_id',
      'rule_id',
      'pii_response_types',
      'tags',
    ]) {
      expect(record.payload).toHaveProperty(field);
    }
    const text = JSON.stringify(record);
    expect(text).not.toContain(PROMPT);
    expect(text).not.toContain(key);
    expect(text).not.toContain('You said');
  });

  it.each([
    ['no key (401)', {}, '/v1/chat/completions', hello, 401, 'api_key_required'],
    [
      'a wrong key (401)',
      { authorization: 'Bearer gw_' + '0'.repeat(40) },
      '/v1/chat/completions',
      hello,
      401,
      'invalid_api_key',
    ],
    ['an unknown /v1 path (404)', {}, '/v1/nothing-here', {}, 404, 'resource_not_found'],
    [
      'an invalid body (400)',
      'key',
      '/v1/chat/completions',
      { model: 'mock/echo' },
      400,
      'validation_error',
    ],
  ])('audits a call refused for %s', async (_what, headers, path, body, status, code) => {
    const res = await postJson(`${gw.url}${path}`, body, headers === 'key' ? bearer(key) : headers);
    expect(res.status).toBe(status);
    const records = await recordsOf(res.headers.get('x-trace-id') as string);
    expect(records).toHaveLength(1);
    expect(records[0].payload).toMatchObject({ status, error_code: code, path });
    expect(JSON.stringify(records[0])).not.toContain(PROMPT);
  });

  it('audits an upstream 429 (provider_rate_limited)', async () => {
    fake.failNext(429, { headers: { 'retry-after': '3' } });
    const res = await postJson(
      chat(),
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: PROMPT }] },
      bearer(key),
    );
    expect(res.status).toBe(429);
    const [record] = await recordsOf(res.headers.get('x-trace-id') as string);
    expect(record.payload).toMatchObject({ status: 429, error_code: 'provider_rate_limited' });
  });

  it('audits a policy denial as POLICY_DENIED and the 403 response', async () => {
    const res = await postJson(chat(), { ...hello, model: 'mock/forbidden-1' }, bearer(key));
    expect(res.status).toBe(403);
    const records = await recordsOf(res.headers.get('x-trace-id') as string);
    expect(records.map((r) => r.event_type).sort()).toEqual(['GATEWAY_RESPONSE', 'POLICY_DENIED']);
    const response = records.find((r) => r.event_type === 'GATEWAY_RESPONSE');
    expect(response.payload).toMatchObject({
      status: 403,
      error_code: 'policy_denied',
      policy_decision: 'DENY',
      policy_id: 'house-rules',
      rule_id: 'no-forbidden',
    });
    const denied = records.find((r) => r.event_type === 'POLICY_DENIED');
    expect(denied.payload).toMatchObject({ policy_id: 'house-rules', rule_id: 'no-forbidden' });
  });

  it('audits a stream once, at its end', async () => {
    const res = await fetch(chat(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(key) },
      body: JSON.stringify({ ...hello, stream: true }),
    });
    await readSse(res);
    const records = await recordsOf(res.headers.get('x-trace-id') as string);
    expect(records).toHaveLength(1);
    expect(records[0].payload).toMatchObject({ status: 200, stream: true, client_gone: false });
  });

  it('records admin changes as ADMIN_CHANGE with ids and field names, never values or keys', async () => {
    const tenant = await call(gw, 'POST', '/v1/admin/tenants', {
      body: { id: 'audited', name: 'Audited Co', tags: { secret_tag: 'tag-value-123' } },
    });
    expect(tenant.status).toBe(201);
    const issued = await call(gw, 'POST', '/v1/admin/tenants/audited/keys', {
      body: { name: 'k' },
    });
    expect(issued.status).toBe(201);
    const updated = await call(gw, 'PATCH', '/v1/admin/tenants/audited', {
      body: { name: 'Renamed Co' },
    });
    expect(updated.status).toBe(200);
    await gw.app.get(AuditTrail).flush();
    const list = await call(gw, 'GET', '/v1/admin/audit?event_type=ADMIN_CHANGE&tenant=audited');
    const actions = list.body.data.map((r: any) => r.payload.action);
    expect(actions).toEqual(['tenant.updated', 'api_key.created', 'tenant.created']);
    expect(list.body.data[0].payload).toMatchObject({
      via: 'admin-api',
      trace_id: updated.headers.get('x-trace-id'),
      fields: ['name'],
    });
    const text = JSON.stringify(list.body);
    expect(text).not.toContain(issued.body.key);
    expect(text).not.toContain('Renamed Co');
    expect(text).not.toContain('tag-value-123');
  });

  it('lists newest first with a cursor, exports JSONL and CSV, and verifies the database', async () => {
    for (let i = 0; i < 5; i++) await postJson(chat(), hello, bearer(key));
    await gw.app.get(AuditTrail).flush();
    const first = await call(gw, 'GET', '/v1/admin/audit?event_type=GATEWAY_RESPONSE&limit=2');
    expect(first.body.data).toHaveLength(2);
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const [a, b] = first.body.data;
    expect(a.timestamp >= b.timestamp).toBe(true);
    const second = await call(
      gw,
      'GET',
      `/v1/admin/audit?event_type=GATEWAY_RESPONSE&limit=2&cursor=${first.body.next_cursor}`,
    );
    expect(second.body.data[0].timestamp <= b.timestamp).toBe(true);
    expect(second.body.data[0].event_id).not.toBe(b.event_id);
    const bad = await call(gw, 'GET', '/v1/admin/audit?cursor=nonsense');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'validation_error', param: 'cursor' });
    const future = await call(gw, 'GET', '/v1/admin/audit?from=2999-01-01T00:00:00Z');
    expect(future.body).toEqual({ data: [], next_cursor: null });

    const jsonl = await download('/v1/admin/audit/export?format=jsonl&tenant=acme');
    expect(jsonl.status).toBe(200);
    expect(jsonl.headers.get('content-type')).toMatch(/application\/x-ndjson/);
    const lines = jsonl.text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThanOrEqual(9);
    expect(lines.every((r: any) => r.tenant === 'acme')).toBe(true);

    const csv = await download('/v1/admin/audit/export?format=csv&event_type=ADMIN_CHANGE');
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const rows = csv.text.trimEnd().split('\r\n');
    expect(rows[0]).toBe(
      'seq,event_id,timestamp,writer,tenant,key_id,event_type,payload,prev_hash,hash,hmac',
    );
    expect(rows.length).toBeGreaterThanOrEqual(4);

    const verify = await call(gw, 'POST', '/v1/admin/audit/verify');
    expect(verify.status).toBe(200);
    expect(verify.body).toMatchObject({
      valid: true,
      hmac_checked: true,
      first_break: null,
      writers: [{ writer: expect.any(String), checked: expect.any(Number) }],
    });
    expect(verify.body.checked).toBeGreaterThan(10);
  });

  it('reports the audit queue in readiness, and the admin routes need the admin token', async () => {
    const ready: any = await fetch(`${gw.url}/health/ready`).then((r) => r.json());
    expect(ready.details.audit).toMatchObject({ status: 'up', max_queue: 10000 });
    const anonymous = await call(gw, 'GET', '/v1/admin/audit', { token: null });
    expect(anonymous.status).toBe(401);
  });

  it('refuses to start in production without an audit secret, saying how to set one', async () => {
    await expect(startGateway({ env: { GATEWAY_PROFILE: 'production' } })).rejects.toThrow(
      /audit trail needs an HMAC secret in production: set GATEWAY_AUDIT_HMAC_SECRET/,
    );
  });
});
