import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { type GatewayUnderTest, issueKey, startGateway } from '../../helpers/gateway-harness.js';
import { ThrowawayPostgres } from '../../helpers/throwaway-postgres.js';
import { freePort, ThrowawayRedis } from '../../helpers/throwaway-redis.js';

/*
 * Issue 18, services failing: a gateway under steady load on a PostgreSQL and a Redis of this
 * suite's own; the PostgreSQL is killed and started again, then the Redis. Every call is answered
 * or refused as documented, readiness reports each outage and recovers, and once the queues have
 * drained, every call has its GATEWAY_RESPONSE audit event and every answered call its usage
 * record: nothing was lost, nothing went unaudited.
 */
const SECRET = 'outage-suite-audit-secret-0123456789abcdef';
const DOCUMENTED_REFUSALS = new Set(['503 audit_unavailable', '503 budget_unavailable']);

interface Call {
  readonly trace: string;
  readonly outcome: string;
}

describe('PostgreSQL and Redis failing under load', () => {
  let postgres: ThrowawayPostgres;
  let redis: ThrowawayRedis;
  let gw: GatewayUnderTest;
  let key: string;

  beforeAll(async () => {
    postgres = new ThrowawayPostgres(await freePort());
    redis = new ThrowawayRedis(await freePort());
    await postgres.start();
    await redis.start();
    gw = await startGateway({
      env: {
        GATEWAY_DATABASE_URL: postgres.url,
        GATEWAY_REDIS_URL: redis.url,
        GATEWAY_AUDIT_HMAC_SECRET: SECRET,
      },
      yaml: `
gateway:
  auth: { required: true }
  rate-limits:
    per-key: { requests-per-minute: 1000000, tokens-per-minute: 1000000000 }
  metering: { flush-interval-ms: 50 }
  providers:
    mock: { latency-ms: 5, stream-token-delay-ms: 0 }
  budgets:
    - { id: outage-day, tenant: outage, period: day, limit-usd: 1000000 }
`,
    });
    key = await issueKey(gw, { tenant: 'outage' });
  }, 60_000);

  afterAll(async () => {
    // Both services back before shutdown, so the last flushes have somewhere to go.
    await redis?.start().catch(() => undefined);
    await gw?.close();
    await redis?.stop();
    await postgres?.destroy();
  });

  const ready = async () => {
    const res = await fetch(`${gw.url}/health/ready`);
    return { status: res.status, body: (await res.json()) as { status: string } };
  };
  const until = async (what: string, check: () => Promise<boolean>, ms = 20_000) => {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(100);
    }
  };

  it('answers as documented, reports each outage, and loses no audit event or usage record', async () => {
    const calls: Call[] = [];
    let loading = true;
    const worker = async (n: number) => {
      for (let i = 0; loading; i++) {
        const res = await fetch(`${gw.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            model: 'mock/echo',
            stream: (i + n) % 3 === 0,
            messages: [{ role: 'user', content: 'Hello' }],
          }),
        });
        const text = await res.text();
        const outcome =
          res.status === 200 ? '200' : `${res.status} ${JSON.parse(text).error?.code as string}`;
        calls.push({ trace: res.headers.get('x-trace-id') ?? '', outcome });
      }
    };
    const load = Promise.all([0, 1, 2, 3].map(worker));
    try {
      await sleep(500);
      await postgres.stop();
      await until(
        'readiness to report the database down',
        async () => (await ready()).status === 503,
      );
      await sleep(1_500);
      await postgres.start();
      await until('readiness to recover', async () => (await ready()).status === 200);

      await redis.stop();
      await until(
        'readiness to report Redis degraded',
        async () => (await ready()).body.status === 'degraded',
      );
      await sleep(1_000);
      await redis.start();
      await until('readiness to leave degraded', async () => {
        const { status, body } = await ready();
        return status === 200 && body.status !== 'degraded';
      });
      await sleep(500);
    } finally {
      loading = false;
      await load;
    }

    // Every answer is a success or a documented refusal, and the load did get through.
    const outcomes = new Map<string, number>();
    for (const call of calls) outcomes.set(call.outcome, (outcomes.get(call.outcome) ?? 0) + 1);
    for (const outcome of outcomes.keys()) {
      if (outcome !== '200') expect(DOCUMENTED_REFUSALS).toContain(outcome);
    }
    const answered = outcomes.get('200') ?? 0;
    expect(answered).toBeGreaterThan(calls.length / 2);

    // The queues drain: one GATEWAY_RESPONSE per call, refusals included, and one usage record
    // per answered call.
    const db = new pg.Client({ connectionString: postgres.url });
    await db.connect();
    try {
      const count = async (sql: string) => Number((await db.query(sql)).rows[0].n);
      await until(
        'every audit event and usage record to reach the database',
        async () =>
          (await count(
            `select count(*) as n from audit_events where event_type = 'GATEWAY_RESPONSE'`,
          )) >= calls.length &&
          (await count(`select count(*) as n from usage_records where status = 200`)) >= answered,
      );
      const traces = new Set(
        (
          await db.query<{ trace_id: string }>(
            `select trace_id from audit_events where event_type = 'GATEWAY_RESPONSE'`,
          )
        ).rows.map((row) => row.trace_id),
      );
      expect(calls.filter((call) => !traces.has(call.trace))).toEqual([]);
      expect(traces.size).toBe(calls.length);
      expect(await count(`select count(*) as n from usage_records where status = 200`)).toBe(
        answered,
      );
    } finally {
      await db.end();
    }
  }, 120_000);
});
