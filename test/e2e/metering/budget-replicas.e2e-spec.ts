import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { type GatewayProcess, spawnGateway } from '../../helpers/gateway-process.js';
import {
  createTestDatabase,
  TEST_REDIS_URL,
  type TestDatabase,
} from '../../helpers/storage-harness.js';

const TOKEN = 'budget-replicas-admin-token-0123456789abcdef';
/** Output tokens cost 0.001 USD each; input is free. */
const USD_PER_OUTPUT_TOKEN = 0.001;
const AFFORDABLE = 37;
const CALLS = 200;

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

async function chat(gw: GatewayProcess, key: string, maxTokens: number) {
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'mock/echo',
      max_tokens: maxTokens,
      messages: [{ role: 'user', content: 'Hi' }],
    }),
  });
  return { status: res.status, body: (await res.json()) as any };
}

/**
 * The exactness promise of contract 11.3 across replicas: three gateway processes on one
 * PostgreSQL and one Redis, 200 concurrent calls against one budget. Every call's real cost
 * equals its estimate (only output tokens are priced, and `max_tokens` is set to the completion
 * tokens the mock reports), so exactly the affordable number must be admitted and spend must
 * never pass the limit. Then Redis is emptied: the counters are rebuilt from the usage records,
 * and the spent budget stays spent.
 */
describe('budgets: exact across three replicas on PostgreSQL and Redis', () => {
  let db: TestDatabase;
  let dir: string;
  let redis: Redis;
  let prefix: string;
  const replicas: GatewayProcess[] = [];
  let key: string;
  let tokens: number;
  let budgetId: string;

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    dir = mkdtempSync(join(tmpdir(), 'gw-budget-'));
    prefix = `gw-test-${randomBytes(4).toString('hex')}:`;
    const layer = join(dir, 'extra.yml');
    writeFileSync(
      layer,
      [
        'gateway:',
        `  redis: { key-prefix: '${prefix}' }`,
        '  metering: { flush-interval-ms: 100, reload-interval-ms: 200 }',
        '  providers:',
        '    mock: { latency-ms: 20, response: "one two three four five six seven" }',
        // A budget from the start, so every replica counts tokens with the tokenizer from the
        // first call (it is loaded once a budget exists), the probe included.
        '  budgets:',
        '    - { id: other, tenant: someone-else, period: day, limit-usd: 1 }',
        '  pricing:',
        `    - { provider: mock, model: "*", input: 0, output: ${USD_PER_OUTPUT_TOKEN * 1e6} }`,
      ].join('\n'),
    );
    const env = {
      GATEWAY_DATABASE_URL: db.url,
      GATEWAY_ADMIN_TOKEN: TOKEN,
      GATEWAY_REDIS_URL: TEST_REDIS_URL,
      GATEWAY_CONFIG_ADDITIONAL_LOCATION: layer,
    };
    // One at a time: the first migrates the shared database.
    for (let i = 0; i < 3; i++) replicas.push(await spawnGateway(env));
    redis = new Redis(TEST_REDIS_URL, { keyPrefix: prefix });

    const [a] = replicas;
    expect((await admin(a, 'POST', '/v1/admin/tenants', { id: 'acme', name: 'Acme' })).status).toBe(
      201,
    );
    key = (await admin(a, 'POST', '/v1/admin/tenants/acme/keys', { name: 'exact' })).body.key;
    // The completion tokens the mock reports for its answer, as the replicas count them.
    const probe = await chat(a, key, 100);
    tokens = probe.body.usage.completion_tokens as number;
    expect(tokens).toBeGreaterThan(0);
    const costUsd = tokens * USD_PER_OUTPUT_TOKEN;
    // The probe's spend happened before the budget: a month budget counts it, so add it in.
    const created = await admin(a, 'POST', '/v1/admin/budgets', {
      tenant: 'acme',
      period: 'month',
      limit_usd: Number(((AFFORDABLE + 1) * costUsd).toFixed(9)),
    });
    expect(created.status).toBe(201);
    budgetId = created.body.id;
    // Every replica has the budget (pub/sub, else the 200 ms poll) before the burst.
    await sleep(600);
  }, 90_000);

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    if (redis) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys.map((k) => k.slice(prefix.length)));
      redis.disconnect();
    }
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('admits exactly the affordable number of 200 concurrent calls, and spend stays within the limit', async () => {
    const results = await Promise.all(
      Array.from({ length: CALLS }, (_, i) => chat(replicas[i % 3], key, tokens)),
    );
    const admitted = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status === 402);
    expect(admitted).toHaveLength(AFFORDABLE);
    expect(refused).toHaveLength(CALLS - AFFORDABLE);
    expect(refused[0].body.error).toMatchObject({
      code: 'budget_cap_hard',
      type: 'budget_exceeded',
    });
    for (const r of admitted) expect(r.body.usage.completion_tokens).toBe(tokens);

    const usage = await settled(replicas[1]);
    expect(usage.reserved_usd).toBe(0);
    expect(usage.spent_usd).toBeLessThanOrEqual(usage.limit_usd);
    expect(usage.spent_usd).toBeCloseTo(usage.limit_usd, 9);
    const report = await reportedRequests();
    expect(report.requests).toBe(AFFORDABLE + 1);
    expect(report.cost_usd).toBeLessThanOrEqual(usage.limit_usd + 1e-9);
  }, 60_000);

  it('keeps a spent budget spent when Redis loses its counters: they are rebuilt from the records', async () => {
    const keys = await redis.keys(`${prefix}budget:*`);
    expect(keys.length).toBeGreaterThan(0);
    await redis.del(...keys.map((k) => k.slice(prefix.length)));
    const again = await chat(replicas[2], key, tokens);
    expect(again.status).toBe(402);
    const usage = await settled(replicas[0]);
    expect(usage.spent_usd).toBeCloseTo(usage.limit_usd, 9);
  }, 30_000);

  /** The budget's usage once nothing is reserved any more (settlements are sent within ms). */
  async function settled(gw: GatewayProcess): Promise<any> {
    for (let i = 0; ; i++) {
      const usage = (await admin(gw, 'GET', `/v1/admin/budgets/${budgetId}/usage`)).body;
      if (usage.reserved_usd === 0 || i > 50) return usage;
      await sleep(20);
    }
  }

  /** The spend report once every replica has written its records (within 2 s). */
  async function reportedRequests(): Promise<any> {
    for (let i = 0; ; i++) {
      const total = (await admin(replicas[0], 'GET', '/v1/admin/spend?tenant=acme')).body.total;
      if (total.requests >= AFFORDABLE + 1 || i > 40) return total;
      await sleep(50);
    }
  }
});
