import { TenantRepository } from '../../../src/storage/tenant.repository.js';
import {
  type GatewayUnderTest,
  issueKey,
  postJson,
  startGateway,
} from '../../helpers/gateway-harness.js';
import {
  parsePrometheusText,
  samplesOf,
  type Scrape,
  sumOf,
  valueOf,
} from '../../helpers/prometheus-text.js';
import { ask, bearer, scrapeSettled, streamChat } from '../../helpers/metrics-scrape.js';

/**
 * Prometheus metrics end to end: a booted gateway, a known mix of calls (answered, refused at each
 * stage, streamed), and the scrape parsed and checked to the exact count.
 */

describe('metrics (contract 14)', () => {
  describe('a known mix of calls, answered and refused', () => {
    let gw: GatewayUnderTest;
    let acmeKey: string;
    let text: string;
    let m: Scrape;

    beforeAll(async () => {
      gw = await startGateway({
        env: { MOCK_PROVIDER_ENABLED: 'true' },
        yaml: `
gateway:
  auth: { required: true }
  providers:
    mock: { latency-ms: 0, stream-token-delay-ms: 0, response: "one two three four five" }
  pricing:
    - { provider: mock, model: "mock/echo", input: 1000, output: 2000 }
  budgets:
    - { id: acme-daily, tenant: acme, period: day, limit-usd: 100 }
    - { id: broke-daily, tenant: broke, period: day, limit-usd: 0.01 }
  policies:
    - id: house-rules
      dsl: |
        rules:
          - id: no-forbidden
            conditions:
              model: { denylist: ["mock/forbidden*"] }
            deny_message: "That model is off limits."
    - id: watch
      status: SHADOW
      dsl: |
        rules:
          - id: would-deny-big
            conditions:
              max_tokens: { limit: 100 }
`,
      });
      const tenants = gw.app.get(TenantRepository);
      await tenants.create({ id: 'acme', name: 'acme' });
      await tenants.create({ id: 'broke', name: 'broke' });
      await tenants.create({ id: 'blocker', name: 'blocker', settings: { piiAction: 'BLOCK' } });
      await tenants.create({
        id: 'limited',
        name: 'limited',
        settings: { rateLimits: { requestsPerMinute: 1 } },
      });
      acmeKey = await issueKey(gw, { tenant: 'acme' });
      const blocker = await issueKey(gw, { tenant: 'blocker' });
      const limited = await issueKey(gw, { tenant: 'limited' });
      const broke = await issueKey(gw, { tenant: 'broke' });
      const chat = `${gw.url}/v1/chat/completions`;

      const statuses: number[] = [];
      const call = async (body: unknown, headers: Record<string, string>) =>
        statuses.push((await postJson(chat, body, headers)).status);
      await call(ask('mock/echo', 'hi'), bearer('gw_' + '0'.repeat(40)));
      await call({ model: 'mock/echo' }, bearer(acmeKey));
      await call(ask('mock/forbidden-model', 'hi'), bearer(acmeKey));
      await call(ask('mock/echo', 'mail alice@example.com or bob@example.org'), bearer(acmeKey));
      await call(ask('mock/echo', 'hello', { max_tokens: 500 }), bearer(acmeKey));
      await call(ask('mock/free', 'hello'), bearer(acmeKey));
      await call(ask('mock/echo', 'mail alice@example.com'), bearer(blocker));
      await call(ask('mock/echo', 'first'), bearer(limited));
      await call(ask('mock/echo', 'second'), bearer(limited));
      // The estimate (1024 output tokens at 2000 USD per million) passes a 0.01 USD budget.
      await call(ask('mock/echo', 'pricey'), bearer(broke));
      statuses.push((await postJson(`${gw.url}/v1/nowhere`, {}, bearer(acmeKey))).status);
      statuses.push(
        await streamChat(gw, ask('mock/echo', 'stream', { stream: true }), bearer(acmeKey)),
      );
      expect(statuses).toEqual([401, 400, 403, 200, 200, 200, 400, 200, 429, 402, 404, 200]);
      ({ text, scrape: m } = await scrapeSettled(gw, statuses.length));
    });
    afterAll(async () => {
      await gw.close();
    });

    it('counts every /v1 call once, refusals included, by tenant, target, status and code', () => {
      const requests = (
        tenant: string,
        provider: string,
        model: string,
        status: string,
        code: string,
      ) => valueOf(m, 'gateway_requests_total', { tenant, provider, model, status, code });
      expect(requests('', '', '', '401', 'invalid_api_key')).toBe(1);
      expect(requests('acme', '', '', '400', 'validation_error')).toBe(1);
      expect(requests('acme', '', 'mock/forbidden-model', '403', 'policy_denied')).toBe(1);
      expect(requests('acme', 'mock', 'mock/echo', '200', '')).toBe(3);
      expect(requests('acme', 'mock', 'mock/free', '200', '')).toBe(1);
      expect(requests('blocker', '', 'mock/echo', '400', 'pii_detected')).toBe(1);
      expect(requests('limited', 'mock', 'mock/echo', '200', '')).toBe(1);
      expect(requests('limited', '', '', '429', 'rate_limit_exceeded')).toBe(1);
      expect(requests('broke', '', 'mock/echo', '402', 'budget_cap_hard')).toBe(1);
      expect(requests('', '', '', '404', 'resource_not_found')).toBe(1);
      // Nothing else: scrapes of /metrics are not /v1 calls.
      expect(sumOf(m, 'gateway_requests_total')).toBe(12);
    });

    it('observes every call in the latency histogram, and streams alone in TTFT', () => {
      expect(sumOf(m, 'gateway_request_duration_seconds_count')).toBe(12);
      expect(
        valueOf(m, 'gateway_request_duration_seconds_count', {
          provider: 'mock',
          model: 'mock/echo',
        }),
      ).toBe(4);
      const inf = valueOf(m, 'gateway_request_duration_seconds_bucket', {
        provider: 'mock',
        model: 'mock/echo',
        le: '+Inf',
      });
      expect(inf).toBe(4);
      expect(sumOf(m, 'gateway_time_to_first_token_seconds_count')).toBe(1);
      expect(
        valueOf(m, 'gateway_time_to_first_token_seconds_count', {
          provider: 'mock',
          model: 'mock/echo',
        }),
      ).toBe(1);
      expect(m.types.get('gateway_request_duration_seconds')).toBe('histogram');
      expect(m.types.get('gateway_time_to_first_token_seconds')).toBe('histogram');
    });

    it('adds up tokens and cost per tenant and model as metered', () => {
      const acme = { tenant: 'acme', provider: 'mock', model: 'mock/echo' };
      const input = valueOf(m, 'gateway_tokens_total', { ...acme, direction: 'input' });
      const output = valueOf(m, 'gateway_tokens_total', { ...acme, direction: 'output' });
      expect(input).toBeGreaterThan(0);
      expect(output).toBeGreaterThan(0);
      // 1000 USD per million input tokens, 2000 per million output tokens.
      expect(valueOf(m, 'gateway_cost_usd_total', acme)).toBeCloseTo(
        (input * 1000 + output * 2000) / 1e6,
        9,
      );
      // The mock is priced at 0 by config/pricing.yml: free, not unpriced.
      const free = { tenant: 'acme', provider: 'mock', model: 'mock/free' };
      expect(valueOf(m, 'gateway_cost_usd_total', free)).toBe(0);
      expect(valueOf(m, 'gateway_unpriced_calls_total', {})).toBe(0);
      expect(
        valueOf(m, 'gateway_tokens_total', {
          tenant: 'limited',
          provider: 'mock',
          model: 'mock/echo',
          direction: 'input',
        }),
      ).toBeGreaterThan(0);
    });

    it('counts rate-limit refusals by scope and resource', () => {
      expect(
        valueOf(m, 'gateway_rate_limited_total', { scope: 'tenant', resource: 'requests' }),
      ).toBe(1);
      expect(sumOf(m, 'gateway_rate_limited_total')).toBe(1);
    });

    it('counts policy decisions once per call and rule, shadow rules apart', () => {
      expect(
        valueOf(m, 'gateway_policy_decisions_total', {
          decision: 'DENY',
          policy: 'house-rules',
          rule: 'no-forbidden',
        }),
      ).toBe(1);
      expect(
        valueOf(m, 'gateway_policy_decisions_total', {
          decision: 'SHADOW_DENY',
          policy: 'watch',
          rule: 'would-deny-big',
        }),
      ).toBe(1);
    });

    it('counts PII occurrences by type, direction and action, never their values', () => {
      expect(
        valueOf(m, 'gateway_pii_findings_total', {
          type: 'EMAIL',
          direction: 'request',
          action: 'LOG',
        }),
      ).toBe(2);
      expect(
        valueOf(m, 'gateway_pii_findings_total', {
          type: 'EMAIL',
          direction: 'request',
          action: 'BLOCK',
        }),
      ).toBe(1);
      expect(text).not.toContain('alice@example.com');
      expect(text).not.toContain('example.org');
    });

    it('reports budgets, the audit queue and Node process metrics at scrape time', () => {
      const ratio = valueOf(m, 'gateway_budget_utilization_ratio', { budget: 'acme-daily' });
      expect(ratio).toBeGreaterThan(0);
      expect(ratio).toBeLessThan(1);
      // A refused reservation is released: nothing spent, nothing reserved.
      expect(valueOf(m, 'gateway_budget_utilization_ratio', { budget: 'broke-daily' })).toBe(0);
      expect(valueOf(m, 'gateway_audit_queue_depth', {})).toBeGreaterThanOrEqual(0);
      expect(valueOf(m, 'gateway_rate_limit_errors_total', {})).toBe(0);
      expect(m.types.get('process_cpu_user_seconds_total')).toBe('counter');
      expect(m.types.get('nodejs_heap_size_total_bytes')).toBe('gauge');
      expect(samplesOf(m, 'process_resident_memory_bytes')).toHaveLength(1);
    });

    it('never puts a key or prompt text in a label', () => {
      expect(text).not.toContain(acmeKey);
      expect(text).not.toContain('gw_');
      expect(text).not.toContain('stream please');
      expect(text).not.toContain('mail ');
    });
  });

  describe('bounded labels and the bearer token', () => {
    const token = 'metrics-e2e-token-0123456789abcdef';
    let gw: GatewayUnderTest;

    beforeAll(async () => {
      gw = await startGateway({
        env: { MOCK_PROVIDER_ENABLED: 'true', GATEWAY_METRICS_TOKEN: token },
        yaml: `
gateway:
  auth: { required: true }
  providers:
    mock: { latency-ms: 0 }
  metrics:
    max-label-values: 50
    label-limits: { tenant: 2 }
`,
      });
    });
    afterAll(async () => {
      await gw.close();
    });

    it('answers 401 in the error envelope without the token or with a wrong one', async () => {
      for (const headers of [{}, bearer('wrong-token'), { authorization: token }]) {
        const response = await fetch(`${gw.url}/metrics`, { headers });
        expect(response.status).toBe(401);
        const body: any = await response.json();
        expect(body.error.type).toBe('authentication_error');
        expect(['metrics_token_required', 'invalid_metrics_token']).toContain(body.error.code);
        expect(body.error.param).toBeNull();
        expect(typeof body.error.trace_id).toBe('string');
        expect(JSON.stringify(body)).not.toContain(token);
      }
      expect((await fetch(`${gw.url}/metrics`, { headers: bearer(token) })).status).toBe(200);
    });

    it('folds label values past the cap into other', async () => {
      const chat = `${gw.url}/v1/chat/completions`;
      for (const tenant of ['t-one', 't-two', 't-three', 't-four']) {
        const key = await issueKey(gw, { tenant });
        expect((await postJson(chat, ask('mock/echo', 'hi'), bearer(key))).status).toBe(200);
      }
      const { scrape: m } = await scrapeSettled(gw, 4, bearer(token));
      const tenants = samplesOf(m, 'gateway_requests_total').map((s) => s.labels.tenant);
      expect(new Set(tenants)).toEqual(new Set(['t-one', 't-two', 'other']));
      const of = (tenant: string) =>
        valueOf(m, 'gateway_requests_total', {
          tenant,
          provider: 'mock',
          model: 'mock/echo',
          status: '200',
          code: '',
        });
      expect([of('t-one'), of('t-two'), of('other')]).toEqual([1, 1, 2]);
      // The fold is per label: the same tenants fold in every metric that carries one.
      const tokenTenants = samplesOf(m, 'gateway_tokens_total').map((s) => s.labels.tenant);
      expect(new Set(tokenTenants)).toEqual(new Set(['t-one', 't-two', 'other']));
    });
  });

  describe('at a configured path', () => {
    let gw: GatewayUnderTest;

    beforeAll(async () => {
      gw = await startGateway({ yaml: 'gateway:\n  metrics: { path: /internal/metrics }\n' });
    });
    afterAll(async () => {
      await gw.close();
    });

    it('serves the metrics there and nowhere else', async () => {
      const response = await fetch(`${gw.url}/internal/metrics`);
      expect(response.status).toBe(200);
      expect(parsePrometheusText(await response.text()).types.get('gateway_requests_total')).toBe(
        'counter',
      );
      expect((await fetch(`${gw.url}/metrics`)).status).toBe(404);
    });
  });

  describe('turned off', () => {
    let gw: GatewayUnderTest;

    beforeAll(async () => {
      gw = await startGateway({ env: { GATEWAY_METRICS_ENABLED: 'false' } });
    });
    afterAll(async () => {
      await gw.close();
    });

    it('serves no /metrics endpoint: 404 in the error envelope', async () => {
      const response = await fetch(`${gw.url}/metrics`);
      expect(response.status).toBe(404);
      const body: any = await response.json();
      expect(body.error.code).toBe('not_found');
    });
  });
});
