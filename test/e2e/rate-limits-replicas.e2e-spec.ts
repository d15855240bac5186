import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOKEN } from '../helpers/admin-client.js';
import { type GatewayProcess, spawnGateway } from '../helpers/gateway-process.js';
import {
  createTestDatabase,
  TEST_REDIS_URL,
  type TestDatabase,
} from '../helpers/storage-harness.js';

async function admin(gw: GatewayProcess, method: string, path: string, body?: unknown) {
  const response = await fetch(`${gw.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

/**
 * The promise of contract 11.4 across replicas: three real gateway processes on one PostgreSQL
 * and one Redis share their counters, so a burst over a full window admits exactly the limit,
 * not three times it.
 */
describe('rate limits across three replicas sharing Redis', () => {
  let db: TestDatabase;
  let dir: string;
  const replicas: GatewayProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    dir = mkdtempSync(join(tmpdir(), 'gw-rl-'));
    const layer = join(dir, 'extra.yml');
    const prefix = `gw-test-rl-${randomBytes(4).toString('hex')}:`;
    writeFileSync(
      layer,
      [
        'gateway:',
        `  redis: { key-prefix: '${prefix}' }`,
        '  auth: { required: true }',
        '  providers:',
        '    mock: { latency-ms: 0 }',
      ].join('\n'),
    );
    const env: Record<string, string> = {
      GATEWAY_DATABASE_URL: db.url,
      GATEWAY_REDIS_URL: TEST_REDIS_URL,
      GATEWAY_ADMIN_TOKEN: TOKEN,
      GATEWAY_CONFIG_ADDITIONAL_LOCATION: layer,
      MOCK_PROVIDER_ENABLED: 'true',
    };
    // One at a time: the first migrates the shared database.
    for (let i = 0; i < 3; i++) replicas.push(await spawnGateway(env));
  }, 90_000);

  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('admits exactly 20 of 100 simultaneous calls against a 20-requests-per-minute key', async () => {
    const [first] = replicas;
    expect(
      (await admin(first, 'POST', '/v1/admin/tenants', { id: 'acme', name: 'Acme' })).status,
    ).toBe(201);
    const issued = await admin(first, 'POST', '/v1/admin/tenants/acme/keys', {
      name: 'burst',
      rate_limits: { requests_per_minute: 20 },
    });
    expect(issued.status).toBe(201);
    const key = issued.body.key as string;

    const statuses = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const response = await fetch(`${replicas[i % 3].url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body: JSON.stringify({
            model: 'mock/echo',
            messages: [{ role: 'user', content: `call ${i}` }],
          }),
        });
        await response.arrayBuffer();
        return response.status;
      }),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(20);
    expect(statuses.filter((s) => s === 429)).toHaveLength(80);
    // Every replica served some and refused some: the counters are shared, not split.
    for (let r = 0; r < 3; r++) {
      const own = statuses.filter((_, i) => i % 3 === r);
      expect(own).toContain(429);
    }
  }, 60_000);
});
