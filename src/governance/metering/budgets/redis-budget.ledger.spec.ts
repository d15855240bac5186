import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { TEST_REDIS_URL } from '../../../../test/helpers/storage-harness.js';
import type { LedgerLine } from './budget-ledger.js';
import { ledgerLine } from './budget-lines.js';
import type { Budget } from './budget.types.js';
import { RedisBudgetLedger } from './redis-budget.ledger.js';
import { RedisStepRunner } from '../../../storage/redis-step.runner.js';

const NOW = Date.parse('2026-12-07T12:00:00Z');
const USD = 1e9;

function budget(id: string, limitUsd: number): Budget {
  return {
    id,
    tenantId: 'acme',
    keyId: null,
    period: 'day',
    limitUsd,
    softLimitPct: 50,
    enabled: true,
    source: 'api',
    createdAt: new Date(0),
    updatedAt: new Date(0),
  };
}

/** The Redis ledger against a real Redis (services.md), under a key prefix of its own. */
describe(RedisBudgetLedger.name, () => {
  let client: Redis;
  const prefix = `gw-test-${randomBytes(4).toString('hex')}:`;

  beforeAll(() => {
    client = new Redis(TEST_REDIS_URL, { keyPrefix: prefix });
  });
  afterAll(async () => {
    const keys = await client.keys(`${prefix}*`);
    if (keys.length > 0) await client.del(...keys.map((k) => k.slice(prefix.length)));
    client.disconnect();
  });

  it('admits exactly the affordable number of concurrent reservations across all budgets', async () => {
    const ledger = new RedisBudgetLedger(client, new RedisStepRunner(client), () =>
      Promise.resolve(0),
    );
    const lines = [ledgerLine(budget('wide', 100), NOW), ledgerLine(budget('tight', 1), NOW)];
    const results = await Promise.all(
      Array.from({ length: 60 }, () => ledger.reserve(lines, 0.03 * USD)),
    );
    const admitted = results.filter((r) => r.admitted);
    expect(admitted).toHaveLength(33);
    const refused = results.find((r) => !r.admitted);
    expect(refused).toMatchObject({ admitted: false, refusedBy: 1 });
    // The wide budget holds only what was admitted: refusals reserved nothing anywhere.
    expect((await ledger.state(lines[0])).reservedNano).toBe(33 * 0.03 * USD);
  });

  it('settles in the next reservation’s pipeline: reserved goes back, the real cost is spent', async () => {
    const ledger = new RedisBudgetLedger(client, new RedisStepRunner(client), () =>
      Promise.resolve(0),
    );
    const line = ledgerLine(budget('settle', 1), NOW);
    await ledger.reserve([line], 500);
    await ledger.settle([line], 500, 120);
    await ledger.reserve([line], 10);
    expect(await ledger.state(line)).toMatchObject({ spentNano: 120, reservedNano: 10 });
    await ledger.settle([line], 10_000, 0);
    await ledger.flush();
    expect((await ledger.state(line)).reservedNano).toBe(0);
  });

  it('rebuilds a counter Redis lost from the records, and warns once per period', async () => {
    let reads = 0;
    const spent = (l: LedgerLine) => {
      reads += 1;
      return Promise.resolve(l.key.startsWith('lost:') ? 0.45 * USD : 0);
    };
    const ledger = new RedisBudgetLedger(client, new RedisStepRunner(client), spent);
    const line = ledgerLine(budget('lost', 1), NOW);
    const first = await ledger.reserve([line], 0.1 * USD);
    expect(first.admitted && first.states[0]).toMatchObject({
      spentNano: 0.45 * USD,
      crossedSoft: true,
    });
    const second = await ledger.reserve([line], 0.1 * USD);
    expect(second.states[0].crossedSoft).toBe(false);
    await client.del(`budget:${line.key}`);
    const third = await ledger.reserve([line], 0.6 * USD);
    expect(third.admitted).toBe(false);
    expect(reads).toBe(2);
  });
});
