import {
  type GatewayUnderTest,
  readSse,
  startGateway,
  readJson,
} from '../helpers/gateway-harness.js';

/** Production refuses to start without an audit secret (contract 12). */
const PRODUCTION_AUDIT_SECRET = 'e2e-production-audit-secret-0123456789ab';

describe('Health probes', () => {
  it('reports live and ready with the registered providers', async () => {
    const gw = await startGateway();
    try {
      const live = await fetch(`${gw.url}/health/live`);
      expect(live.status).toBe(200);
      expect((await readJson(live)).status).toBe('ok');
      const ready = await fetch(`${gw.url}/health/ready`);
      expect(ready.status).toBe(200);
      const body = await readJson(ready);
      expect(body.details.providers).toEqual({ status: 'up', registered: ['mock'] });
    } finally {
      await gw.close();
    }
  });

  it('is not ready when no provider is activated', async () => {
    const gw = await startGateway({
      env: { GATEWAY_PROFILE: 'production', GATEWAY_AUDIT_HMAC_SECRET: PRODUCTION_AUDIT_SECRET },
    });
    try {
      expect((await fetch(`${gw.url}/health/live`)).status).toBe(200);
      const ready = await fetch(`${gw.url}/health/ready`);
      expect(ready.status).toBe(503);
      expect((await readJson(ready)).error.providers.status).toBe('down');
    } finally {
      await gw.close();
    }
  });
});

describe('Authentication by profile', () => {
  let gw: GatewayUnderTest;
  beforeAll(async () => {
    gw = await startGateway({
      env: {
        GATEWAY_PROFILE: 'production',
        MOCK_PROVIDER_ENABLED: 'true',
        GATEWAY_AUDIT_HMAC_SECRET: PRODUCTION_AUDIT_SECRET,
      },
    });
  });
  afterAll(() => gw.close());

  it('refuses a keyless call with 401 api_key_required under production', async () => {
    const res = await fetch(`${gw.url}/v1/models`);
    expect(res.status).toBe(401);
    const body = await readJson(res);
    expect(body.error.code).toBe('api_key_required');
    expect(body.error.type).toBe('authentication_error');
  });

  it.each([
    [{ authorization: 'Bearer gw_not_a_real_key' }],
    [{ 'x-api-key': 'gw_not_a_real_key' }],
  ])('refuses a key it cannot verify with 401 invalid_api_key (%j)', async (headers) => {
    const res = await fetch(`${gw.url}/v1/models`, { headers });
    expect(res.status).toBe(401);
    const body = await readJson(res);
    expect(body.error.code).toBe('invalid_api_key');
    expect(JSON.stringify(body)).not.toContain('gw_not_a_real_key');
  });

  it('keeps the health probes open', async () => {
    expect((await fetch(`${gw.url}/health/live`)).status).toBe(200);
  });
});

describe('Graceful shutdown', () => {
  it('lets an in-flight stream finish while the server stops accepting new calls', async () => {
    const gw = await startGateway({
      yaml: [
        'gateway:',
        '  providers:',
        '    mock:',
        '      response: "one two three four five six"',
        '      stream-token-delay-ms: 60',
      ].join('\n'),
    });
    const response = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'mock/x',
        stream: true,
        messages: [{ role: 'user', content: 'x' }],
      }),
    });
    expect(response.status).toBe(200);
    const closing = gw.close();
    const { data } = await readSse(response);
    await closing;

    expect(data[data.length - 1]).toBe('[DONE]');
    const text = data
      .slice(0, -1)
      .map((d) => JSON.parse(d).choices[0]?.delta?.content ?? '')
      .join('');
    expect(text).toBe('one two three four five six');
    await expect(fetch(`${gw.url}/health/live`)).rejects.toThrow();
  });
});
