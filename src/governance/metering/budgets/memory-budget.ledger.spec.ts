import { ledgerLine } from './budget-lines.js';
import type { Budget } from './budget.types.js';
import { MemoryBudgetLedger } from './memory-budget.ledger.js';

function budget(overrides: Partial<Budget> = {}): Budget {
  return {
    id: 'b1',
    tenantId: 'acme',
    keyId: null,
    period: 'day',
    limitUsd: 1,
    softLimitPct: 50,
    enabled: true,
    source: 'api',
    createdAt: new Date(0),
    updatedAt: new Date(0),
    ...overrides,
  };
}

const NOW = Date.parse('2026-12-07T12:00:00Z');
const USD = 1e9;

describe(MemoryBudgetLedger.name, () => {
  it('reserves against every budget at once, or refuses naming the tightest', async () => {
    const ledger = new MemoryBudgetLedger(
      () => Promise.resolve(0),
      () => NOW,
    );
    const roomy = ledgerLine(budget({ id: 'roomy', limitUsd: 10 }), NOW);
    const tight = ledgerLine(budget({ id: 'tight', limitUsd: 1 }), NOW);
    const first = await ledger.reserve([roomy, tight], 0.6 * USD);
    expect(first.admitted).toBe(true);
    const second = await ledger.reserve([roomy, tight], 0.6 * USD);
    expect(second).toMatchObject({ admitted: false, refusedBy: 1 });
    // The refusal reserved nothing anywhere.
    expect((await ledger.state(roomy)).reservedNano).toBe(0.6 * USD);
  });

  it('replaces the reservation by the real cost, and releases it whole for a call that failed', async () => {
    const ledger = new MemoryBudgetLedger(
      () => Promise.resolve(0),
      () => NOW,
    );
    const line = ledgerLine(budget(), NOW);
    await ledger.reserve([line], 300);
    await ledger.reserve([line], 500);
    await ledger.settle([line], 300, 120);
    await ledger.settle([line], 500, 0);
    expect(await ledger.state(line)).toMatchObject({ spentNano: 120, reservedNano: 0 });
    // Settling more than is reserved never takes the counter below zero.
    await ledger.settle([line], 10_000, 0);
    expect((await ledger.state(line)).reservedNano).toBe(0);
  });

  it('admits exactly the affordable number of concurrent calls', async () => {
    const ledger = new MemoryBudgetLedger(
      () => Promise.resolve(0),
      () => NOW,
    );
    const line = ledgerLine(budget({ limitUsd: 1 }), NOW);
    const results = await Promise.all(
      Array.from({ length: 50 }, () => ledger.reserve([line], 0.07 * USD)),
    );
    expect(results.filter((r) => r.admitted)).toHaveLength(14);
  });

  it('warns once per budget and period, on the reservation that crosses the soft limit', async () => {
    const ledger = new MemoryBudgetLedger(
      () => Promise.resolve(0),
      () => NOW,
    );
    const line = ledgerLine(budget({ limitUsd: 1, softLimitPct: 50 }), NOW);
    const crossed: boolean[] = [];
    for (let i = 0; i < 4; i++) {
      const result = await ledger.reserve([line], 0.2 * USD);
      crossed.push(result.states[0].crossedSoft);
    }
    expect(crossed).toEqual([false, false, true, false]);
  });

  it('rebuilds a missing counter from the records once, however many calls wait for it', async () => {
    let reads = 0;
    const ledger = new MemoryBudgetLedger(
      async () => {
        reads += 1;
        await new Promise((resolve) => setTimeout(resolve, 10));
        return 0.9 * USD;
      },
      () => NOW,
    );
    const line = ledgerLine(budget({ limitUsd: 1 }), NOW);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => ledger.reserve([line], 0.05 * USD)),
    );
    expect(reads).toBe(1);
    expect(results.filter((r) => r.admitted)).toHaveLength(2);
  });

  it('keeps one counter per period: a new day starts from what the records say', async () => {
    const spent = (line: { start: number }) =>
      Promise.resolve(line.start === Date.parse('2026-12-07T00:00:00Z') ? 0.99 * USD : 0);
    let now = NOW;
    const ledger = new MemoryBudgetLedger(spent, () => now);
    const b = budget({ limitUsd: 1 });
    expect((await ledger.reserve([ledgerLine(b, now)], 0.05 * USD)).admitted).toBe(false);
    now = Date.parse('2026-12-08T00:00:01Z');
    expect((await ledger.reserve([ledgerLine(b, now)], 0.05 * USD)).admitted).toBe(true);
  });
});
