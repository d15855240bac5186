import { setTimeout as sleep } from 'node:timers/promises';
import { call, TOKEN } from '../../helpers/admin-client.js';
import {
  type GatewayUnderTest,
  issueKey,
  postJson,
  startGateway,
} from '../../helpers/gateway-harness.js';
import { freePort, ThrowawayRedis } from '../../helpers/throwaway-redis.js';

/**
 * Governance fails closed (contract 8, 11.3): when the Redis that holds the budget counters stops
 * answering, calls are reserved against the replica's own counters, rebuilt from the usage
 * records, so a budget still refuses at its limit; no call goes through unreserved.
 */
describe('budgets when Redis goes away', () => {
  let redis: ThrowawayRedis;
  let gw: GatewayUnderTest;
  let key: string;
  // Output is priced at 0.001 USD per token: a call reserves 0.01 (max_tokens 10) and costs
  // 0.006 (the mock's six words).
  const hello = {
    model: 'mock/echo',
    max_tokens: 10,
    messages: [{ role: 'user', content: 'Hello' }],
  };
  const chat = () =>
    postJson(`${gw.url}/v1/chat/completions`, hello, { authorization: `Bearer ${key}` });

  beforeAll(async () => {
    redis = new ThrowawayRedis(await freePort());
    await redis.start();
    gw = await startGateway({
      env: { GATEWAY_ADMIN_TOKEN: TOKEN, GATEWAY_REDIS_URL: redis.url },
      yaml: `
gateway:
  auth: { required: true }
  metering: { flush-interval-ms: 50 }
  providers:
    mock: { latency-ms: 0, stream-token-delay-ms: 0, response: "one two three four five six" }
  pricing:
    - { provider: mock, model: "*", input: 0, output: 1000 }
`,
    });
    key = await issueKey(gw, { tenant: 'outage' });
    const created = await call(gw, 'POST', '/v1/admin/budgets', {
      body: { tenant: 'outage', period: 'day', limit_usd: 0.05 },
    });
    expect(created.status).toBe(201);
  });
  afterAll(async () => {
    // Redis back before shutdown: a shutdown while Redis is unreachable waits on its reconnects
    // (a known gap, noted on the operations issue), which is not what this suite is about.
    await redis?.start();
    await gw?.close();
    await redis?.stop();
  });

  it('keeps refusing at the limit on the replica own counters, never admitting unreserved', async () => {
    for (let i = 0; i < 3; i++) expect((await chat()).status).toBe(200);
    // The usage records reach the database (what the replica's own counters are rebuilt from).
    await sleep(500);
    await redis.stop();
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await chat()).status);
    expect(statuses.every((s) => s === 200 || s === 402)).toBe(true);
    // 0.05 USD holds eight calls of 0.006 at most (three before the outage): never all eleven.
    const admitted = 3 + statuses.filter((s) => s === 200).length;
    expect(admitted).toBeLessThanOrEqual(8);
    expect(statuses.at(-1)).toBe(402);
  });
});
