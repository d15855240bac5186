import { type GatewayUnderTest, startGateway } from '../helpers/gateway-harness.js';

const TOKEN = 'admin-keys-e2e-token-0123456789';

/** Keys required (the ci profile does not), and last-use times written every 200 ms. */
const REQUIRE_KEYS = 'gateway:\n  auth:\n    required: true\n    last-used-flush-ms: 200\n';

async function admin(gw: GatewayUnderTest, method: string, path: string, body?: unknown) {
  const response = await fetch(`${gw.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

/** GET /v1/models with the key, as Bearer or as x-api-key: the status and the error code. */
async function models(gw: GatewayUnderTest, key: string, as: 'bearer' | 'x-api-key' = 'bearer') {
  const headers: Record<string, string> =
    as === 'bearer' ? { authorization: `Bearer ${key}` } : { 'x-api-key': key };
  const response = await fetch(`${gw.url}/v1/models`, { headers });
  const body = (await response.json()) as any;
  return { status: response.status, code: body.error?.code as string | undefined };
}

describe('API keys created through the admin API', () => {
  let gw: GatewayUnderTest;
  let tenant = 0;

  /** A new tenant and one key of it: its id and plaintext. */
  async function freshKey(
    scopes?: string[],
  ): Promise<{ tenantId: string; id: string; key: string }> {
    const tenantId = `tenant-${(tenant += 1)}`;
    expect(
      (await admin(gw, 'POST', '/v1/admin/tenants', { id: tenantId, name: tenantId })).status,
    ).toBe(201);
    const created = await admin(gw, 'POST', `/v1/admin/tenants/${tenantId}/keys`, {
      name: 'app',
      scopes,
    });
    expect(created.status).toBe(201);
    return { tenantId, id: created.body.id, key: created.body.key };
  }

  beforeAll(async () => {
    gw = await startGateway({ env: { GATEWAY_ADMIN_TOKEN: TOKEN }, yaml: REQUIRE_KEYS });
  });
  afterAll(() => gw.close());

  it('works on /v1 as Authorization: Bearer and as x-api-key', async () => {
    const { key } = await freshKey();
    expect(await models(gw, key)).toEqual({ status: 200, code: undefined });
    expect(await models(gw, key, 'x-api-key')).toEqual({ status: 200, code: undefined });
    const lastChanged = `${key.slice(0, -1)}${key.endsWith('0') ? '1' : '0'}`;
    expect(await models(gw, lastChanged)).toMatchObject({
      status: 401,
      code: 'invalid_api_key',
    });
  });

  it('stops working at once when revoked (401 api_key_revoked)', async () => {
    const { id, key } = await freshKey();
    expect((await models(gw, key)).status).toBe(200);
    expect((await admin(gw, 'POST', `/v1/admin/keys/${id}/revoke`)).status).toBe(200);
    expect(await models(gw, key)).toEqual({ status: 401, code: 'api_key_revoked' });
    expect(await models(gw, key, 'x-api-key')).toEqual({ status: 401, code: 'api_key_revoked' });
  });

  it('keeps a rotated key working for its grace period, next to the new one', async () => {
    const { id, key } = await freshKey();
    expect((await models(gw, key)).status).toBe(200);
    const rotated = await admin(gw, 'POST', `/v1/admin/keys/${id}/rotate`, { grace_seconds: 300 });
    expect(rotated.status).toBe(200);
    expect(await models(gw, key)).toEqual({ status: 200, code: undefined });
    expect(await models(gw, rotated.body.key)).toEqual({ status: 200, code: undefined });
  });

  it('stops a key rotated with grace_seconds 0 at once (401 api_key_expired)', async () => {
    const { id, key } = await freshKey();
    expect((await models(gw, key)).status).toBe(200);
    const rotated = await admin(gw, 'POST', `/v1/admin/keys/${id}/rotate`, { grace_seconds: 0 });
    expect(rotated.status).toBe(200);
    expect(await models(gw, key)).toEqual({ status: 401, code: 'api_key_expired' });
    expect(await models(gw, rotated.body.key)).toEqual({ status: 200, code: undefined });
  });

  it('refuses the keys of a suspended tenant (403 tenant_suspended) until it is activated', async () => {
    const { tenantId, key } = await freshKey();
    expect((await models(gw, key)).status).toBe(200);
    expect((await admin(gw, 'POST', `/v1/admin/tenants/${tenantId}/suspend`)).status).toBe(200);
    expect(await models(gw, key)).toEqual({ status: 403, code: 'tenant_suspended' });
    expect((await admin(gw, 'POST', `/v1/admin/tenants/${tenantId}/activate`)).status).toBe(200);
    expect(await models(gw, key)).toEqual({ status: 200, code: undefined });
    // PATCH status does the same.
    expect(
      (await admin(gw, 'PATCH', `/v1/admin/tenants/${tenantId}`, { status: 'suspended' })).status,
    ).toBe(200);
    expect(await models(gw, key)).toEqual({ status: 403, code: 'tenant_suspended' });
  });

  it('refuses the keys of a deleted tenant at once', async () => {
    const { tenantId, key } = await freshKey();
    expect((await models(gw, key)).status).toBe(200);
    expect((await admin(gw, 'DELETE', `/v1/admin/tenants/${tenantId}`)).status).toBe(200);
    expect(await models(gw, key)).toEqual({ status: 401, code: 'invalid_api_key' });
  });

  it('records when a key was last used', async () => {
    const { id, key } = await freshKey();
    expect((await models(gw, key)).status).toBe(200);
    // last_used_at is written in batches (every 200 ms here), never once per request.
    const deadline = Date.now() + 5_000;
    let lastUsed: string | null = null;
    while (lastUsed === null && Date.now() < deadline) {
      lastUsed = (await admin(gw, 'GET', `/v1/admin/keys/${id}`)).body.last_used_at;
      if (lastUsed === null) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(lastUsed).not.toBeNull();
  });

  it('is refused by the admin API: a gateway key is not the admin token', async () => {
    const { key } = await freshKey();
    const response = await fetch(`${gw.url}/v1/admin/tenants`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as any).error.code).toBe('invalid_admin_token');
  });
});
