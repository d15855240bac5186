import {
  BudgetLedger,
  type LedgerLine,
  type LedgerState,
  type ReserveResult,
  type SpendSource,
  tightestRefusal,
} from './budget-ledger.js';

interface Counter {
  spentNano: number;
  reservedNano: number;
  warned: boolean;
  expiresAt: number;
}

/**
 * Counters in this process (no Redis): exact for one replica, per replica with several (the
 * metering module warns at start-up). Reserving is synchronous once every counter exists, so
 * concurrent calls cannot interleave inside it; a missing counter is rebuilt from the usage
 * records first, once, however many calls wait for it.
 */
export class MemoryBudgetLedger extends BudgetLedger {
  readonly kind = 'memory';
  private readonly counters = new Map<string, Counter>();
  private readonly loading = new Map<string, Promise<void>>();
  private lastPrune = 0;

  constructor(
    private readonly spent: SpendSource,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  async reserve(lines: readonly LedgerLine[], amountNano: number): Promise<ReserveResult> {
    await this.ensure(lines);
    const counters = lines.map((line) => this.counters.get(line.key)!);
    const refusedBy = tightestRefusal(lines, counters, amountNano);
    if (refusedBy >= 0) {
      return { admitted: false, refusedBy, states: counters.map((c) => view(c, false)) };
    }
    const states = counters.map((counter, i) => {
      counter.reservedNano += amountNano;
      const past = counter.spentNano + counter.reservedNano > lines[i].softNano;
      const crossed = past && !counter.warned;
      if (crossed) counter.warned = true;
      return view(counter, crossed);
    });
    return { admitted: true, states };
  }

  settle(lines: readonly LedgerLine[], reservedNano: number, actualNano: number): Promise<void> {
    for (const line of lines) {
      const counter = this.counters.get(line.key);
      // Gone (pruned after its period): nothing to release, and the records keep the spend.
      if (counter === undefined) continue;
      counter.reservedNano = Math.max(0, counter.reservedNano - reservedNano);
      counter.spentNano += Math.max(0, actualNano);
    }
    return Promise.resolve();
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  async state(line: LedgerLine): Promise<LedgerState> {
    await this.ensure([line]);
    return view(this.counters.get(line.key)!, false);
  }

  private async ensure(lines: readonly LedgerLine[]): Promise<void> {
    this.prune();
    for (const line of lines) {
      if (this.counters.has(line.key)) continue;
      let loading = this.loading.get(line.key);
      if (loading === undefined) {
        loading = this.spent(line)
          .then((spentNano) => {
            if (!this.counters.has(line.key)) {
              this.counters.set(line.key, {
                spentNano,
                reservedNano: 0,
                warned: spentNano > line.softNano,
                expiresAt: line.expiresAt,
              });
            }
          })
          .finally(() => this.loading.delete(line.key));
        this.loading.set(line.key, loading);
      }
      await loading;
    }
  }

  /** Drops counters of periods long over, at most once a minute. */
  private prune(): void {
    const now = this.now();
    if (now - this.lastPrune < 60_000) return;
    this.lastPrune = now;
    for (const [key, counter] of this.counters) {
      if (counter.expiresAt < now && counter.reservedNano === 0) this.counters.delete(key);
    }
  }
}

function view(counter: Counter, crossedSoft: boolean): LedgerState {
  return { spentNano: counter.spentNano, reservedNano: counter.reservedNano, crossedSoft };
}
