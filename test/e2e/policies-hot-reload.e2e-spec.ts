import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type GatewayProcess, spawnGateway } from '../helpers/gateway-process.js';
import {
  createTestDatabase,
  TEST_REDIS_URL,
  type TestDatabase,
} from '../helpers/storage-harness.js';

const TOKEN = 'hot-reload-admin-token-0123456789abcdef';
/** Contract 10: a change made on one replica is enforced by every replica within 2 seconds. */
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

function chat(gw: GatewayProcess, key: string) {
  return fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'mock/any', messages: [{ role: 'user', content: 'Hi' }] }),
  }).then(async (res) => ({ status: res.status, body: (await res.json()) as any }));
}

/** Calls the replica every 20 ms until it answers `status`; the milliseconds that took. */
async function msUntil(gw: GatewayProcess, key: string, status: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    const answer = await chat(gw, key);
    const elapsed = performance.now() - started;
    if (answer.status === status) return elapsed;
    if (elapsed > 10_000) {
      throw new Error(`the replica still answers ${answer.status} after 10 s`);
    }
    await sleep(20);
  }
}

const DENY = {
  id: 'hot-deny',
  tenant: 'acme',
  dsl: 'rules:\n  - id: no-mock\n    conditions:\n      model: { denylist: ["mock/*"] }\n    deny_message: "mock is off"\n',
};

/**
 * Hot reload across replicas (contract 10): two real gateway processes on one PostgreSQL; a policy
 * written through one replica's admin API is enforced by the other within 2 s, without restart,
 * over Redis pub/sub when configured, else by polling the stored policy version.
 */
describe.each([
  // With Redis the poll is slowed to a minute: only pub/sub can meet the promise.
  { mode: 'Redis pub/sub', redis: true, pollMs: 60_000 },
  { mode: 'polling the policy version', redis: false, pollMs: 1_000 },
])('policies: hot reload across two replicas ($mode)', ({ redis, pollMs }) => {
  let db: TestDatabase;
  let dir: string;
  let a: GatewayProcess;
  let b: GatewayProcess;
  let key: string;

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    dir = mkdtempSync(join(tmpdir(), 'gw-hot-'));
    const layer = join(dir, 'extra.yml');
    const prefix = `gw-test-${randomBytes(4).toString('hex')}:`;
    writeFileSync(
      layer,
      `gateway:\n  redis: { key-prefix: '${prefix}' }\n  policy: { reload-interval-ms: ${pollMs} }\n`,
    );
    const env: Record<string, string> = {
      GATEWAY_DATABASE_URL: db.url,
      GATEWAY_ADMIN_TOKEN: TOKEN,
      GATEWAY_CONFIG_ADDITIONAL_LOCATION: layer,
      ...(redis ? { GATEWAY_REDIS_URL: TEST_REDIS_URL } : {}),
    };
    // One at a time: the first migrates the shared database.
    a = await spawnGateway(env);
    b = await spawnGateway(env);
    expect((await admin(a, 'POST', '/v1/admin/tenants', { id: 'acme', name: 'Acme' })).status).toBe(
      201,
    );
    const issued = await admin(a, 'POST', '/v1/admin/tenants/acme/keys', { name: 'hot' });
    expect(issued.status).toBe(201);
    key = issued.body.key;
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('enforces a policy created on one replica on the other within 2 s, and drops it as fast', async () => {
    expect((await chat(b, key)).status).toBe(200);

    expect((await admin(a, 'POST', '/v1/admin/policies', DENY)).status).toBe(201);
    const enforcedAfter = await msUntil(b, key, 403);
    const denied = await chat(b, key);
    expect(denied.body.error).toMatchObject({ code: 'policy_denied', message: 'mock is off' });

    expect((await admin(a, 'DELETE', '/v1/admin/policies/hot-deny')).status).toBe(204);
    const liftedAfter = await msUntil(b, key, 200);

    // The measured delays, for the record (the bench and README quote the promise, not these).
    process.stdout.write(
      `hot reload: enforced after ${enforcedAfter.toFixed(0)} ms, lifted after ${liftedAfter.toFixed(0)} ms\n`,
    );
    expect(enforcedAfter).toBeLessThan(PROMISED_MS);
    expect(liftedAfter).toBeLessThan(PROMISED_MS);
  }, 30_000);

  it('applies a replacement (PUT) on the other replica too', async () => {
    const allowMock = {
      tenant: 'acme',
      dsl: 'rules:\n  - id: only-gpt\n    conditions:\n      model: { denylist: ["gpt-*"] }\n',
    };
    expect(
      (await admin(a, 'POST', '/v1/admin/policies', { ...allowMock, id: 'swap' })).status,
    ).toBe(201);
    expect((await chat(b, key)).status).toBe(200);
    const swapped = await admin(a, 'PUT', '/v1/admin/policies/swap', {
      tenant: 'acme',
      dsl: DENY.dsl,
    });
    expect(swapped.status).toBe(200);
    expect(await msUntil(b, key, 403)).toBeLessThan(PROMISED_MS);
    expect((await admin(a, 'DELETE', '/v1/admin/policies/swap')).status).toBe(204);
  }, 30_000);
});
