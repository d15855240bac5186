import { setTimeout as sleep } from 'node:timers/promises';
import { type Answer, call, expectError, TOKEN } from '../helpers/admin-client.js';
import {
  type GatewayUnderTest,
  postJson,
  readSse,
  startGateway,
} from '../helpers/gateway-harness.js';

/**
 * Rate limits (contract 11.4) through the real application, counted in process memory (no
 * Redis): every refusal, its body and headers, the overrides, and the give-backs.
 */
describe('rate limits', () => {
  let gw: GatewayUnderTest;
  let tenants = 0;
  const hello = { model: 'mock/echo', messages: [{ role: 'user', content: 'Hello' }] };

  /** A fresh tenant (with these settings) and a key of it (with these limits): the key and its id. */
  async function freshKey(
    options: { settings?: object; rateLimits?: object } = {},
  ): Promise<{ tenant: string; id: string; key: string }> {
    const tenant = `rl-${(tenants += 1)}`;
    const created = await call(gw, 'POST', '/v1/admin/tenants', {
      body: { id: tenant, name: tenant, settings: options.settings },
    });
    expect(created.status).toBe(201);
    const key = await call(gw, 'POST', `/v1/admin/tenants/${tenant}/keys`, {
      body: { name: 'app', rate_limits: options.rateLimits },
    });
    expect(key.status).toBe(201);
    return { tenant, id: key.body.id, key: key.body.key };
  }

  const chat = async (key: string, body: object = hello): Promise<Answer> => ({
    ...(await postJson(`${gw.url}/v1/chat/completions`, body, { authorization: `Bearer ${key}` })),
    text: '',
  });

  /** Settlement runs when the response closes, just after the client has read it. */
  const settled = () => sleep(100);

  beforeAll(async () => {
    gw = await startGateway({
      env: { MOCK_PROVIDER_ENABLED: 'true', GATEWAY_ADMIN_TOKEN: TOKEN },
      yaml: `
gateway:
  auth: { required: true }
  rate-limits:
    per-tenant: { requests-per-minute: 1000 }
  metering: { default-output-reservation: 100 }
  providers:
    mock:
      latency-ms: 0
      stream-token-delay-ms: 0
      response: "one two three"
      response-overrides:
        '[mock/broken]': "js: throw new Error('boom')"
  policies:
    - id: house-rules
      dsl: |
        rules:
          - id: no-forbidden
            conditions:
              model: { denylist: ["mock/forbidden*"] }
            deny_message: "That model is off limits."
`,
    });
  });
  afterAll(async () => {
    await gw.close();
  });

  it('applies the configured default and says so on every answer', async () => {
    const { key } = await freshKey();
    const answer = await chat(key);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-ratelimit-limit-requests')).toBe('1000');
    expect(answer.headers.get('x-ratelimit-remaining-requests')).toBe('999');
    // No token limit applies anywhere: no token pair.
    expect(answer.headers.get('x-ratelimit-limit-tokens')).toBeNull();
  });

  it("refuses a key's request over its limit with 429, Retry-After and the rate_limit body", async () => {
    const { key } = await freshKey({ rateLimits: { requests_per_minute: 2 } });
    expect((await chat(key)).headers.get('x-ratelimit-remaining-requests')).toBe('1');
    expect((await chat(key)).headers.get('x-ratelimit-remaining-requests')).toBe('0');
    const refused = await chat(key);
    expectError(refused, 429, 'rate_limit_exceeded');
    expect(refused.body.error.type).toBe('rate_limit_error');
    expect(refused.body.error.rate_limit).toEqual({
      limited_resource: 'requests',
      limit_type: 'requests_per_minute',
      scope: 'key',
      limit: 2,
      remaining: 0,
      retry_after_seconds: expect.any(Number),
      reset_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(30);
    expect(refused.body.error.rate_limit.retry_after_seconds).toBe(retryAfter);
    expect(refused.headers.get('x-ratelimit-limit-requests')).toBe('2');
    expect(refused.headers.get('x-ratelimit-remaining-requests')).toBe('0');
  });

  it('refuses tokens over the limit, and settles reservations on the real usage', async () => {
    const { key } = await freshKey({ rateLimits: { tokens_per_minute: 1_000 } });
    // 6 prompt tokens + 900 reserved for the output: fits once.
    const big = { ...hello, max_tokens: 900 };
    const first = await chat(key, big);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit-tokens')).toBe('1000');
    expect(first.headers.get('x-ratelimit-remaining-tokens')).toBe('94');
    expect(first.headers.get('x-ratelimit-limit-requests')).toBe('1000');
    const used = first.body.usage.total_tokens as number;
    expect(used).toBeLessThan(20);

    await settled();
    // Settled on the real usage: the 900 reserved came back, all but what was used.
    const second = await chat(key, big);
    expect(second.status).toBe(200);
    expect(Number(second.headers.get('x-ratelimit-remaining-tokens'))).toBeGreaterThanOrEqual(
      1_000 - used - 906,
    );
    await settled();
    // 6 + 995 is more than the whole limit: it fits only an empty bucket, and this one is not.
    const refused = await chat(key, { ...hello, max_tokens: 995 });
    expectError(refused, 429, 'rate_limit_exceeded');
    expect(refused.body.error.rate_limit).toMatchObject({
      limited_resource: 'tokens',
      limit_type: 'tokens_per_minute',
      scope: 'key',
      limit: 1_000,
    });
  });

  it('uses the default output reservation when the call sets no max_tokens', async () => {
    const { key } = await freshKey({ rateLimits: { tokens_per_minute: 500 } });
    const answer = await chat(key);
    // 6 prompt tokens + 100 (gateway.metering.default-output-reservation).
    expect(answer.headers.get('x-ratelimit-remaining-tokens')).toBe('394');
  });

  it("applies a tenant's settings.rate_limits to all its keys, the tightest limit deciding", async () => {
    const { tenant, key } = await freshKey({
      settings: { rate_limits: { requests_per_minute: 3 } },
      rateLimits: { requests_per_minute: 10 },
    });
    const other = await call(gw, 'POST', `/v1/admin/tenants/${tenant}/keys`, { body: {} });
    const first = await chat(key);
    expect(first.headers.get('x-ratelimit-limit-requests')).toBe('3');
    expect(first.headers.get('x-ratelimit-remaining-requests')).toBe('2');
    expect((await chat(other.body.key)).status).toBe(200);
    expect((await chat(key)).status).toBe(200);
    const refused = await chat(other.body.key);
    expectError(refused, 429, 'rate_limit_exceeded');
    expect(refused.body.error.rate_limit).toMatchObject({ scope: 'tenant', limit: 3 });

    // A settings change applies at once (the key cache forgets the tenant).
    const patched = await call(gw, 'PATCH', `/v1/admin/tenants/${tenant}`, {
      body: { settings: { rate_limits: { requests_per_minute: 100 } } },
    });
    expect(patched.status).toBe(200);
    const after = await chat(key);
    expect(after.status).toBe(200);
    expect(after.headers.get('x-ratelimit-limit-requests')).toBe('10');
  });

  it("sets a key's rate_limits at creation and changes them with PATCH, effective at once", async () => {
    const { id, key } = await freshKey({ rateLimits: { requests_per_minute: 1 } });
    const shown = await call(gw, 'GET', `/v1/admin/keys/${id}`);
    expect(shown.body.rate_limits).toEqual({ requests_per_minute: 1 });
    expect((await chat(key)).status).toBe(200);
    expect((await chat(key)).status).toBe(429);

    const patched = await call(gw, 'PATCH', `/v1/admin/keys/${id}`, {
      body: { rate_limits: { requests_per_minute: 5, tokens_per_minute: 100_000 } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      id,
      rate_limits: { requests_per_minute: 5, tokens_per_minute: 100_000 },
    });
    const after = await chat(key);
    expect(after.status).toBe(200);
    expect(after.headers.get('x-ratelimit-limit-requests')).toBe('5');
    expect(after.headers.get('x-ratelimit-limit-tokens')).toBe('100000');

    const cleared = await call(gw, 'PATCH', `/v1/admin/keys/${id}`, {
      body: { rate_limits: null, name: 'renamed' },
    });
    expect(cleared.body).toMatchObject({ name: 'renamed', rate_limits: null });
    expect((await chat(key)).headers.get('x-ratelimit-limit-requests')).toBe('1000');
  });

  it('refuses negative, zero, fractional or absurd limits with 400 naming the field', async () => {
    const { tenant, id } = await freshKey();
    for (const value of [-1, 0, 1.5, 1e12, '10']) {
      expectError(
        await call(gw, 'POST', `/v1/admin/tenants/${tenant}/keys`, {
          body: { rate_limits: { requests_per_minute: value } },
        }),
        400,
        'validation_error',
        'rate_limits.requests_per_minute',
      );
      expectError(
        await call(gw, 'PATCH', `/v1/admin/keys/${id}`, {
          body: { rate_limits: { tokens_per_minute: value } },
        }),
        400,
        'validation_error',
        'rate_limits.tokens_per_minute',
      );
    }
    expectError(
      await call(gw, 'PATCH', `/v1/admin/keys/${id}`, { body: { rate_limits: [5] } }),
      400,
      'validation_error',
      'rate_limits',
    );
    expectError(
      await call(gw, 'PATCH', '/v1/admin/keys/key_missing', { body: { name: 'x' } }),
      404,
      'api_key_not_found',
      'key',
    );
  });

  it('carries the headers on a streamed answer', async () => {
    const { key } = await freshKey({
      rateLimits: { requests_per_minute: 7, tokens_per_minute: 5_000 },
    });
    const response = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ ...hello, stream: true, max_tokens: 50 }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    expect(response.headers.get('x-ratelimit-limit-requests')).toBe('7');
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('6');
    expect(response.headers.get('x-ratelimit-limit-tokens')).toBe('5000');
    expect(response.headers.get('x-ratelimit-remaining-tokens')).toBe('4944');
    const { data } = await readSse(response);
    expect(data.at(-1)).toBe('[DONE]');
  });

  it('refuses a stream over the limit as an ordinary 429 before any byte', async () => {
    const { key } = await freshKey({ rateLimits: { requests_per_minute: 1 } });
    await chat(key);
    const refused = await chat(key, { ...hello, stream: true });
    expectError(refused, 429, 'rate_limit_exceeded');
    expect(refused.headers.get('x-ratelimit-remaining-requests')).toBe('0');
  });

  it('keeps the request permit and gives the tokens back when a later stage refuses', async () => {
    const { key } = await freshKey({
      rateLimits: { requests_per_minute: 4, tokens_per_minute: 1_000 },
    });
    const denied = await chat(key, { ...hello, model: 'mock/forbidden', max_tokens: 900 });
    expectError(denied, 403, 'policy_denied');
    expect(denied.headers.get('x-ratelimit-remaining-requests')).toBe('3');
    expect(denied.headers.get('x-ratelimit-remaining-tokens')).toBe('94');
    await settled();
    // Validation (stage 4) refuses after the rate limit took its permit.
    const invalid = await chat(key, { model: 'mock/echo', messages: 'nope', max_tokens: 900 });
    expectError(invalid, 400, 'validation_error', 'messages');
    expect(invalid.headers.get('x-ratelimit-remaining-requests')).toBe('2');
    await settled();
    const failed = await chat(key, { ...hello, model: 'mock/broken', max_tokens: 900 });
    expect(failed.status).toBe(502);
    expect(failed.headers.get('x-ratelimit-remaining-requests')).toBe('1');

    await settled();
    // Every reservation came back: a full 906 fits again, and this is the last permit.
    const last = await chat(key, { ...hello, max_tokens: 900 });
    expect(last.status).toBe(200);
    expect(last.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    const over = await chat(key, { ...hello, max_tokens: 1 });
    expect(over.body.error.rate_limit).toMatchObject({ limited_resource: 'requests' });
  });

  it('limits embeddings on their input tokens, with no output reserved', async () => {
    const { key } = await freshKey({ rateLimits: { tokens_per_minute: 100 } });
    const answer = await postJson(
      `${gw.url}/v1/embeddings`,
      { model: 'mock/embed', input: 'x'.repeat(80) },
      { authorization: `Bearer ${key}` },
    );
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-ratelimit-remaining-tokens')).toBe('80');
  });

  it('does not count the model list', async () => {
    const { key } = await freshKey({ rateLimits: { requests_per_minute: 1 } });
    for (let i = 0; i < 3; i++) {
      const models = await fetch(`${gw.url}/v1/models`, {
        headers: { authorization: `Bearer ${key}` },
      });
      expect(models.status).toBe(200);
      expect(models.headers.get('x-ratelimit-limit-requests')).toBeNull();
    }
    expect((await chat(key)).status).toBe(200);
  });
});
