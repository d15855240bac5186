import { setTimeout as sleep } from 'node:timers/promises';
import { call, expectError, TOKEN } from '../../helpers/admin-client.js';
import {
  type GatewayUnderTest,
  issueKey,
  postJson,
  readSse,
  startGateway,
} from '../../helpers/gateway-harness.js';

/**
 * Usage, cost, pricing and spend reports end to end (contract 11.1, 11.2): the mock provider
 * priced through configuration, the cost header, cost tags, the price table, and reports in JSON
 * and CSV over what settled.
 */
describe('metering: usage, cost, pricing, spend', () => {
  let gw: GatewayUnderTest;
  let key: string;
  const chat = () => `${gw.url}/v1/chat/completions`;
  const auth = (k = key) => ({ authorization: `Bearer ${k}` });
  const hello = { model: 'mock/echo', messages: [{ role: 'user', content: 'Hello there' }] };

  beforeAll(async () => {
    gw = await startGateway({
      env: { GATEWAY_ADMIN_TOKEN: TOKEN },
      yaml: `
gateway:
  auth: { required: true }
  metering: { flush-interval-ms: 50 }
  providers:
    mock: { latency-ms: 0, stream-token-delay-ms: 0, response: "one two three four five six" }
  pricing:
    - { provider: mock, model: "mock/*", input: 1000, output: 2000, cached-input: 100 }
`,
    });
    key = await issueKey(gw, { tenant: 'acme' });
  });
  afterAll(async () => {
    await gw.close();
  });

  it('puts the cost of a JSON answer in X-Gateway-Cost-Usd, from the usage it reports', async () => {
    const res = await postJson(chat(), hello, auth());
    expect(res.status).toBe(200);
    const { prompt_tokens: input, completion_tokens: output } = res.body.usage;
    const expected = (input * 1000 + output * 2000) / 1e6;
    expect(Number(res.headers.get('x-gateway-cost-usd'))).toBeCloseTo(expected, 9);
    expect(res.headers.get('x-gateway-budget-remaining-usd')).toBeNull();
  });

  it('sends no cost header on a stream, and hides the usage chunk unless asked', async () => {
    const res = await fetch(chat(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth() },
      body: JSON.stringify({ ...hello, stream: true }),
    });
    expect(res.headers.get('x-gateway-cost-usd')).toBeNull();
    const { data } = await readSse(res);
    expect(data.some((d) => d !== '[DONE]' && JSON.parse(d).usage)).toBe(false);
  });

  it('reports calls by tag, counting a call once in the total (header and metadata.tags)', async () => {
    const tenant = 'tagged';
    const tagged = await issueKey(gw, { tenant });
    const headers = { ...auth(tagged), 'x-dvara-tags': 'team=search, feature=autocomplete' };
    expect((await postJson(chat(), hello, headers)).status).toBe(200);
    const viaMetadata = { ...hello, metadata: { tags: 'team=ads' } };
    expect((await postJson(chat(), viaMetadata, auth(tagged))).status).toBe(200);
    const report = await eventually(() => spend(`tenant=${tenant}&group_by=tag`), 2);
    expect(report.body.data.map((r: { tag: string }) => r.tag)).toEqual([
      'feature=autocomplete',
      'team=ads',
      'team=search',
    ]);
    expect(report.body.total.requests).toBe(2);
    for (const row of report.body.data) expect(row.cost_usd).toBeGreaterThan(0);
  });

  it('refuses tag lists that are malformed, too many or too long, naming the source', async () => {
    const tooMany = Array.from({ length: 10_000 }, (_, i) => `t${i}=v`).join(',');
    const cases: [Record<string, unknown>, Record<string, string>, string][] = [
      [hello, { 'x-dvara-tags': 'no-equals-sign' }, 'X-Dvara-Tags'],
      [hello, { 'x-dvara-tags': tooMany.slice(0, 8000) }, 'X-Dvara-Tags'],
      [hello, { 'x-dvara-tags': `big=${'x'.repeat(200)}` }, 'X-Dvara-Tags'],
      [{ ...hello, metadata: { tags: 'a=b,c' } }, {}, 'metadata.tags'],
    ];
    for (const [body, headers, param] of cases) {
      const res = await postJson(chat(), body, { ...auth(), ...headers });
      expect({
        status: res.status,
        code: res.body.error.code,
        param: res.body.error.param,
      }).toEqual({ status: 400, code: 'validation_error', param });
    }
  });

  it('shows the effective price and where it came from', async () => {
    const config = await call(gw, 'GET', '/v1/admin/pricing?provider=mock&model=mock/echo');
    expect(config.body).toMatchObject({
      priced: true,
      source: 'config',
      matched: 'mock/*',
      input: 1000,
      output: 2000,
      cached_input: 100,
    });
    const catalogue = await call(gw, 'GET', '/v1/admin/pricing?provider=openai&model=gpt-4o');
    expect(catalogue.body).toMatchObject({ priced: true, source: 'catalogue', matched: 'gpt-4o' });
    expect(catalogue.body.input).toBeGreaterThan(0);
    const unpriced = await call(gw, 'GET', '/v1/admin/pricing?provider=ollama&model=llama3');
    expect(unpriced.body).toMatchObject({ priced: false, source: null });
    const table = await call(gw, 'GET', '/v1/admin/pricing');
    expect(table.body.data).toEqual(
      expect.arrayContaining([expect.objectContaining({ provider: 'mock', source: 'config' })]),
    );
  });

  it('stores a price that overrides configuration at once, and refuses absurd ones', async () => {
    const stored = await call(gw, 'POST', '/v1/admin/pricing', {
      body: { provider: 'mock', model: 'mock/priced-by-api', input: 0, output: 5000 },
    });
    expect(stored.status).toBe(201);
    expect(stored.body).toMatchObject({ source: 'admin', output: 5000 });
    const res = await postJson(chat(), { ...hello, model: 'mock/priced-by-api' }, auth());
    const expected = (res.body.usage.completion_tokens * 5000) / 1e6;
    expect(Number(res.headers.get('x-gateway-cost-usd'))).toBeCloseTo(expected, 9);

    const bad: [Record<string, unknown>, string][] = [
      [{ provider: 'mock', model: 'x', input: -1, output: 1 }, 'input'],
      [{ provider: 'mock', model: 'x', input: 1, output: 1e12 }, 'output'],
      [{ provider: 'Mock!', model: 'x', input: 1, output: 1 }, 'provider'],
      [{ provider: 'mock', model: 'x', input: '1', output: 1 }, 'input'],
    ];
    for (const [body, param] of bad) {
      expectError(
        await call(gw, 'POST', '/v1/admin/pricing', { body }),
        400,
        'validation_error',
        param,
      );
    }
    const removed = await call(
      gw,
      'DELETE',
      '/v1/admin/pricing?provider=mock&model=mock/priced-by-api',
    );
    expect(removed.status).toBe(204);
  });

  it('reports spend by tenant, model and day in JSON and CSV', async () => {
    const tenant = 'reports';
    const own = await issueKey(gw, { tenant });
    for (let i = 0; i < 3; i++) expect((await postJson(chat(), hello, auth(own))).status).toBe(200);
    const json = await eventually(() => spend(`tenant=${tenant}&group_by=tenant,model,day`), 3);
    const today = new Date().toISOString().slice(0, 10);
    expect(json.body.data).toEqual([
      expect.objectContaining({ tenant, model: 'mock/echo', day: today, requests: 3 }),
    ]);
    expect(json.body.total).toMatchObject({
      requests: 3,
      estimated_requests: 0,
      unpriced_requests: 0,
    });
    expect(json.body.total.cost_usd).toBeCloseTo(json.body.data[0].cost_usd, 12);

    const csv = await fetch(
      `${gw.url}/v1/admin/spend?tenant=${tenant}&group_by=key,provider&format=csv`,
      { headers: { authorization: `Bearer ${TOKEN}` } },
    );
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe(
      'key_id,provider,requests,input_tokens,output_tokens,cached_input_tokens,cost_usd,estimated_requests,unpriced_requests',
    );
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^key_[^,]+,mock,3,/);
  });

  it('refuses bad report parameters', async () => {
    const cases: [string, string][] = [
      ['group_by=tenant,colour', 'group_by'],
      ['format=xml', 'format'],
      ['from=yesterday', 'from'],
      ['from=2026-12-02&to=2026-12-01', 'to'],
      ['from=2020-01-01&to=2026-01-01', 'from'],
    ];
    for (const [query, param] of cases) {
      expectError(
        await call(gw, 'GET', `/v1/admin/spend?${query}`),
        400,
        'validation_error',
        param,
      );
    }
  });

  async function spend(query: string) {
    return call(gw, 'GET', `/v1/admin/spend?${query}`);
  }

  /** The report once it counts `requests` calls (records are written every 50 ms here). */
  async function eventually(get: () => ReturnType<typeof spend>, requests: number) {
    for (let i = 0; ; i++) {
      const answer = await get();
      if (answer.body?.total?.requests >= requests || i > 40) return answer;
      await sleep(50);
    }
  }
});
