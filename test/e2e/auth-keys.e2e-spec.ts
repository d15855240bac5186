import { randomUUID } from 'node:crypto';
import {
  type GatewayUnderTest,
  issueKey,
  postJson,
  readJson,
  startGateway,
} from '../helpers/gateway-harness.js';
import {
  createTestDatabase,
  TEST_REDIS_URL,
  type TestDatabase,
} from '../helpers/storage-harness.js';

/** Production refuses to start without an audit secret (contract 12). */
const PRODUCTION_AUDIT_SECRET = 'e2e-production-audit-secret-0123456789ab';

const chatBody = { model: 'mock/x', messages: [{ role: 'user', content: 'hi' }] };

describe('API keys on the data plane', () => {
  let gw: GatewayUnderTest;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(() => gw.close());

  const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

  it('runs a keyless call as tenant default where auth is not required (ci profile)', async () => {
    expect((await postJson(`${gw.url}/v1/chat/completions`, chatBody)).status).toBe(200);
  });

  it('refuses a presented key that is not valid, even where keyless calls are allowed', async () => {
    for (const headers of [
      bearer('gw_' + 'a'.repeat(40)),
      bearer('sk-something-else'),
      { 'x-api-key': 'nope' },
      { authorization: 'Basic dXNlcjpwYXNz' },
    ]) {
      const res = await postJson(`${gw.url}/v1/chat/completions`, chatBody, headers);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('invalid_api_key');
      expect(res.body.error.type).toBe('authentication_error');
    }
  });

  it('enforces scopes per endpoint with 403 api_key_scope', async () => {
    const readOnly = await issueKey(gw, { tenant: 'scoped', scopes: ['models:read'] });
    expect((await fetch(`${gw.url}/v1/models`, { headers: bearer(readOnly) })).status).toBe(200);
    const chat = await postJson(`${gw.url}/v1/chat/completions`, chatBody, bearer(readOnly));
    expect(chat.status).toBe(403);
    expect(chat.body.error.code).toBe('api_key_scope');
    expect(chat.body.error.type).toBe('permission_error');
    expect(chat.body.error.message).toContain('completions:write');
    const embed = await postJson(
      `${gw.url}/v1/embeddings`,
      { model: 'mock/e', input: 'x' },
      bearer(readOnly),
    );
    expect(embed.body.error.code).toBe('api_key_scope');

    const chatOnly = await issueKey(gw, { tenant: 'scoped', scopes: ['completions:write'] });
    expect(
      (await postJson(`${gw.url}/v1/chat/completions`, chatBody, bearer(chatOnly))).status,
    ).toBe(200);
    const models = await fetch(`${gw.url}/v1/models`, { headers: { 'x-api-key': chatOnly } });
    expect(models.status).toBe(403);
    expect((await readJson(models)).error.code).toBe('api_key_scope');
  });
});

describe('Keys in the production profile', () => {
  it('refuses keyless calls with 401 api_key_required and accepts an issued key', async () => {
    const gw = await startGateway({
      env: {
        GATEWAY_PROFILE: 'production',
        MOCK_PROVIDER_ENABLED: 'true',
        GATEWAY_AUDIT_HMAC_SECRET: PRODUCTION_AUDIT_SECRET,
      },
    });
    try {
      const keyless = await postJson(`${gw.url}/v1/chat/completions`, chatBody);
      expect(keyless.status).toBe(401);
      expect(keyless.body.error.code).toBe('api_key_required');
      const key = await issueKey(gw);
      const res = await postJson(`${gw.url}/v1/chat/completions`, chatBody, {
        authorization: `Bearer ${key}`,
      });
      expect(res.status).toBe(200);
    } finally {
      await gw.close();
    }
  });
});

describe('Revocation across replicas (shared PostgreSQL and Redis)', () => {
  let db: TestDatabase;
  let replicaA: GatewayUnderTest;
  let replicaB: GatewayUnderTest;
  const adminToken = randomUUID();

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    const env = {
      GATEWAY_DATABASE_URL: db.url,
      GATEWAY_REDIS_URL: TEST_REDIS_URL,
      GATEWAY_ADMIN_TOKEN: adminToken,
    };
    // A unique prefix keeps this run's invalidation channel apart from any other run's.
    const yaml = `gateway:\n  redis:\n    key-prefix: "e2e-${randomUUID()}:"\n`;
    replicaA = await startGateway({ env, yaml });
    replicaB = await startGateway({ env, yaml });
  });
  afterAll(async () => {
    await replicaA?.close();
    await replicaB?.close();
    await db?.drop();
  });

  it('stops a key on every replica as soon as one revokes it, cache or not', async () => {
    const key = await issueKey(replicaA, { tenant: 'shared' });
    const auth = { authorization: `Bearer ${key}` };
    // Both replicas verify (and cache) the key.
    expect((await fetch(`${replicaA.url}/v1/models`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${replicaB.url}/v1/models`, { headers: auth })).status).toBe(200);

    const keys = await fetch(`${replicaA.url}/v1/admin/tenants/shared/keys`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    const [stored] = (await readJson(keys)).data;
    const revoke = await fetch(`${replicaA.url}/v1/admin/keys/${stored.id}/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(revoke.status).toBe(200);

    // Redis delivers asynchronously: poll briefly rather than sleep a fixed time.
    let status = 200;
    for (let i = 0; i < 50 && status === 200; i++) {
      status = (await fetch(`${replicaB.url}/v1/models`, { headers: auth })).status;
      if (status === 200) await new Promise((r) => setTimeout(r, 20));
    }
    const res = await fetch(`${replicaB.url}/v1/models`, { headers: auth });
    expect(res.status).toBe(401);
    expect((await readJson(res)).error.code).toBe('api_key_revoked');
  });

  it('reports the database and Redis in readiness', async () => {
    const ready = await readJson(await fetch(`${replicaB.url}/health/ready`));
    expect(ready.details.database.status).toBe('up');
    expect(ready.details.redis.status).toBe('up');
  });
});
