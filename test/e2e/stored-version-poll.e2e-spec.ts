import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type GatewayProcess, spawnGateway } from '../helpers/gateway-process.js';
import { createTestDatabase, type TestDatabase } from '../helpers/storage-harness.js';

const TOKEN = 'version-poll-admin-token-0123456789abcdef';
/** Contract 10 and 11.3: a change made on one replica is enforced by the others within 2 s. */
const PROMISED_MS = 2_000;

async function admin(gw: GatewayProcess, method: string, path: string, body?: unknown) {
  const res = await fetch(`${gw.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** A call reserving 0.1 USD (100 output tokens at 1 USD per thousand). */
function chat(gw: GatewayProcess, key: string) {
  return fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'mock/any',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Hi' }],
    }),
  }).then(async (res) => ({ status: res.status, body: (await res.json()) as any }));
}

/** Calls the replica every 20 ms until it answers `status`; the milliseconds that took. */
async function msUntil(gw: GatewayProcess, key: string, status: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    const answer = await chat(gw, key);
    const elapsed = performance.now() - started;
    if (answer.status === status) return elapsed;
    if (elapsed > 10_000) throw new Error(`the replica still answers ${answer.status} after 10 s`);
    await sleep(20);
  }
}

/**
 * Issue 14's shared version poll on the default store: two real gateway processes on one SQLite
 * file and no Redis, so a replica learns of another's writes only by polling the stored versions
 * (on SQLite, through the poll's own connection). A policy and a budget written through one
 * replica's admin API are enforced by the other within 2 s, and lifted as fast.
 */
describe('stored versions polled on one SQLite file by two replicas', () => {
  let db: TestDatabase;
  let dir: string;
  let a: GatewayProcess;
  let b: GatewayProcess;
  let key: string;

  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    dir = mkdtempSync(join(tmpdir(), 'gw-poll-'));
    const layer = join(dir, 'extra.yml');
    writeFileSync(
      layer,
      [
        'gateway:',
        '  policy: { reload-interval-ms: 1000 }',
        '  metering: { reload-interval-ms: 1000 }',
        '  pricing:',
        '    - { provider: mock, model: "*", input: 0, output: 1000 }',
        '',
      ].join('\n'),
    );
    const env = {
      GATEWAY_DATABASE_URL: db.url,
      GATEWAY_ADMIN_TOKEN: TOKEN,
      GATEWAY_CONFIG_ADDITIONAL_LOCATION: layer,
    };
    // One at a time: the first migrates the shared file.
    a = await spawnGateway(env);
    b = await spawnGateway(env);
    expect((await admin(a, 'POST', '/v1/admin/tenants', { id: 'acme', name: 'Acme' })).status).toBe(
      201,
    );
    const issued = await admin(a, 'POST', '/v1/admin/tenants/acme/keys', { name: 'poll' });
    expect(issued.status).toBe(201);
    key = issued.body.key;
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('enforces a policy created on one replica on the other, and lifts it on delete', async () => {
    expect((await chat(b, key)).status).toBe(200);
    const created = await admin(a, 'POST', '/v1/admin/policies', {
      id: 'poll-deny',
      tenant: 'acme',
      dsl: 'rules:\n  - id: no-mock\n    conditions:\n      model: { denylist: ["mock/*"] }\n    deny_message: "mock is off"\n',
    });
    expect(created.status).toBe(201);
    expect(await msUntil(b, key, 403)).toBeLessThan(PROMISED_MS);
    expect((await chat(b, key)).body.error).toMatchObject({
      code: 'policy_denied',
      message: 'mock is off',
    });
    expect((await admin(a, 'DELETE', '/v1/admin/policies/poll-deny')).status).toBe(204);
    expect(await msUntil(b, key, 200)).toBeLessThan(PROMISED_MS);
  }, 30_000);

  it('enforces a budget created on one replica on the other, and lifts it on delete', async () => {
    expect((await chat(b, key)).status).toBe(200);
    const created = await admin(a, 'POST', '/v1/admin/budgets', {
      tenant: 'acme',
      period: 'day',
      limit_usd: 0.05,
    });
    expect(created.status).toBe(201);
    expect(await msUntil(b, key, 402)).toBeLessThan(PROMISED_MS);
    expect((await chat(b, key)).body.error).toMatchObject({
      type: 'budget_exceeded',
      code: 'budget_cap_hard',
    });
    expect((await admin(a, 'DELETE', `/v1/admin/budgets/${created.body.id}`)).status).toBe(204);
    expect(await msUntil(b, key, 200)).toBeLessThan(PROMISED_MS);
  }, 30_000);
});
