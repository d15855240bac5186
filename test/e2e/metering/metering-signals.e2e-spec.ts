import { setTimeout as sleep } from 'node:timers/promises';
import { call, TOKEN } from '../../helpers/admin-client.js';
import {
  type GatewayUnderTest,
  issueKey,
  postJson,
  startGateway,
} from '../../helpers/gateway-harness.js';

/**
 * What metering feeds the rest of the pipeline, end to end: the budget's utilisation to the
 * policy `budget_utilization` condition, and a stream cut short settled on what was delivered,
 * flagged estimated.
 */
describe('metering: utilisation for policies, cut streams', () => {
  let gw: GatewayUnderTest;
  const chat = () => `${gw.url}/v1/chat/completions`;
  const auth = (key: string) => ({ authorization: `Bearer ${key}` });

  beforeAll(async () => {
    gw = await startGateway({
      env: { GATEWAY_ADMIN_TOKEN: TOKEN },
      yaml: `
gateway:
  auth: { required: true }
  metering: { flush-interval-ms: 50 }
  providers:
    mock:
      latency-ms: 0
      stream-token-delay-ms: 40
      response: "${Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ')}"
  pricing:
    - { provider: mock, model: "*", input: 0, output: 1000 }
  budgets:
    - { id: util-day, tenant: util, period: day, limit-usd: 1 }
  policies:
    - id: budget-watch
      tenant: util
      dsl: |
        rules:
          - id: over-half
            conditions:
              budget_utilization: { above_pct: 50 }
            action: WARN_AGENT
            warn_message: "over half the budget"
`,
    });
  });
  afterAll(async () => {
    await gw.close();
  });

  it('feeds the tightest budget’s utilisation (this call’s reservation included) to policies', async () => {
    const key = await issueKey(gw, { tenant: 'util' });
    const body = (max: number) => ({
      model: 'mock/echo',
      max_tokens: max,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    const low = await postJson(chat(), body(100), auth(key));
    expect(low.status).toBe(200);
    expect(low.headers.get('x-gateway-policy-warning')).toBeNull();
    const high = await postJson(chat(), body(600), auth(key));
    expect(high.status).toBe(200);
    expect(high.headers.get('x-gateway-policy-warning')).toBe('over half the budget');
  });

  it('settles a stream the client left on the text delivered, flagged estimated', async () => {
    const key = await issueKey(gw, { tenant: 'cut' });
    const controller = new AbortController();
    const res = await fetch(chat(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth(key) },
      body: JSON.stringify({
        model: 'mock/echo',
        stream: true,
        messages: [{ role: 'user', content: 'Hi' }],
      }),
      signal: controller.signal,
    });
    const reader = res.body!.getReader();
    let received = '';
    while (received.split('data: ').length < 6) {
      const { value } = await reader.read();
      received += new TextDecoder().decode(value);
    }
    controller.abort();
    let total: any;
    for (let i = 0; i < 60; i++) {
      total = (await call(gw, 'GET', '/v1/admin/spend?tenant=cut')).body.total;
      if (total.requests > 0) break;
      await sleep(50);
    }
    expect(total).toMatchObject({ requests: 1, estimated_requests: 1 });
    // A handful of words were delivered out of sixty: the output is what reached the caller.
    expect(total.output_tokens).toBeGreaterThan(0);
    expect(total.output_tokens).toBeLessThan(60);
    expect(total.cost_usd).toBeCloseTo(total.output_tokens / 1000, 9);
  });
});
