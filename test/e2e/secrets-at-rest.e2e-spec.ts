import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type GatewayUnderTest, startGateway } from '../helpers/gateway-harness.js';

/**
 * Contract 7 and issue 6: no plaintext API key, tenant credential, admin token or encryption key
 * in the database, in the logs, or in any API response (other than the one that shows a new key
 * once). This test does everything an operator would, then reads all three.
 */
describe('Secrets never at rest, in logs or in responses', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-secrets-'));
  const dbFile = join(dir, 'gateway.db');
  const adminToken = `admin-${randomBytes(16).toString('hex')}`;
  const encryptionKey = randomBytes(32).toString('hex');
  const tenantCredential = `sk-tenant-${randomBytes(12).toString('hex')}`;
  const logs: string[] = [];
  const responses: string[] = [];
  const issued: string[] = [];
  let credentialProviders: unknown;
  let gw: GatewayUnderTest;

  const call = async (path: string, init: RequestInit = {}, record = true) => {
    const res = await fetch(`${gw.url}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', ...(init.headers as Record<string, string>) },
    });
    const text = await res.text();
    if (record) responses.push(`${res.status} ${JSON.stringify([...res.headers])} ${text}`);
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const admin = (path: string, method = 'GET', body?: unknown, record = true) =>
    call(
      `/v1/admin${path}`,
      {
        method,
        headers: { authorization: `Bearer ${adminToken}` },
        body: body === undefined ? undefined : JSON.stringify(body),
      },
      record,
    );

  beforeAll(async () => {
    gw = await startGateway({
      env: {
        GATEWAY_DATABASE_URL: `sqlite:${dbFile}`,
        GATEWAY_ADMIN_TOKEN: adminToken,
        GATEWAY_ENCRYPTION_KEY: encryptionKey,
        LOG_LEVEL: 'debug',
      },
      logSink: logs,
    });

    const tenant = await admin('/tenants', 'POST', {
      id: 'acme',
      name: 'Acme',
      credentials: { openai: { api_key: tenantCredential } },
    });
    credentialProviders = tenant.body?.credential_providers;
    await admin('/tenants/acme', 'PATCH', {
      credentials: { openai: { api_key: tenantCredential } },
    });
    // The two answers that carry a new key are the only place it may appear: not recorded.
    const created = await admin('/tenants/acme/keys', 'POST', { name: 'app' }, false);
    issued.push(created.body.key);
    const rotated = await admin(
      `/keys/${created.body.id}/rotate`,
      'POST',
      { grace_seconds: 60 },
      false,
    );
    issued.push(rotated.body.key);

    for (const key of issued) {
      const auth = { authorization: `Bearer ${key}` };
      await call('/v1/models', { headers: auth });
      await call('/v1/chat/completions', {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ model: 'mock/x', messages: [{ role: 'user', content: 'hi' }] }),
      });
      await call('/v1/models', { headers: { 'x-api-key': key } });
    }
    await call('/v1/models', { headers: { authorization: `Bearer ${issued[0]}x` } });
    await admin('/tenants/acme');
    await admin('/tenants');
    await admin('/tenants/acme/keys');
    await admin(`/keys/${rotated.body.id}`);
    await admin(`/keys/${created.body.id}/revoke`, 'POST');
    await call('/v1/models', { headers: { authorization: `Bearer ${issued[0]}` } });
    await admin('/openapi.json');
    await call('/v1/admin/tenants', { headers: { authorization: 'Bearer wrong-token' } });
    await gw.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const secrets = () => ({
    'an API key': issued,
    'the tenant credential': [tenantCredential],
    'the admin token': [adminToken],
    'the encryption key': [encryptionKey],
  });

  const expectFree = (where: string, text: string) => {
    for (const [what, values] of Object.entries(secrets())) {
      for (const value of values) {
        if (text.includes(value)) throw new Error(`${what} appears in ${where}`);
      }
    }
  };

  it('really issued and used two keys (the test is not vacuous)', () => {
    expect(credentialProviders).toEqual(['openai']);
    expect(issued).toHaveLength(2);
    issued.forEach((k) => expect(k).toMatch(/^gw_[0-9a-f]{40}$/));
    expect(responses.filter((r) => r.startsWith('200')).length).toBeGreaterThan(8);
    expect(logs.length).toBeGreaterThan(5);
  });

  it('keeps them out of every table row', () => {
    const db = new Database(dbFile, { readonly: true });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
      name: string;
    }[];
    const dump = tables.map((t) => JSON.stringify(db.prepare(`SELECT * FROM "${t.name}"`).all()));
    db.close();
    expect(dump.join('')).toContain('acme');
    expectFree('the database', dump.join('\n'));
  });

  it('keeps them out of the database files on disk, WAL included', () => {
    for (const file of readdirSync(dir)) {
      expectFree(`the file ${file}`, readFileSync(join(dir, file)).toString('latin1'));
    }
  });

  it('keeps them out of the logs', () => {
    expectFree('the logs', logs.join('\n'));
  });

  it('keeps them out of every API response but the one that shows a new key', () => {
    expectFree('an API response', responses.join('\n'));
  });
});
