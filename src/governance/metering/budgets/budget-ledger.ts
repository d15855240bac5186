import type { RedisStepRunner } from '../../../storage/redis-step.runner.js';
import type { RedisStep } from '../../../storage/redis-step.types.js';

/**
 * One budget's counter for one period, as the stage asks the ledger about it. Amounts are integer
 * nano-USD.
 */
export interface LedgerLine {
  /** `<budget id>:<period key>`: the counter's name. */
  readonly key: string;
  readonly limitNano: number;
  /** Past this, the budget warns. */
  readonly softNano: number;
  /** Epoch ms after which the counter is of no use (the period's end, plus a day). */
  readonly expiresAt: number;
  /** Whose spend it counts and over which period, to rebuild it from the usage records. */
  readonly owner: { readonly tenantId: string; readonly keyId: string | null };
  readonly start: number;
  readonly end: number;
}

/** A counter after an operation. */
export interface LedgerState {
  readonly spentNano: number;
  /** Reserved by calls in flight, this one's included once admitted. */
  readonly reservedNano: number;
  /** This reservation was the first past the soft limit in the period (warn once). */
  readonly crossedSoft: boolean;
}

export type ReserveResult =
  | { readonly admitted: true; readonly states: readonly LedgerState[] }
  | {
      readonly admitted: false;
      /** Index of the line that refused: of those that would pass their limit, the tightest. */
      readonly refusedBy: number;
      readonly states: readonly LedgerState[];
    };

/** A reservation sent as a step of the call's Redis batch (pipeline/counter-batch.ts). */
export interface DeferredReserve {
  readonly runner: RedisStepRunner;
  readonly step: RedisStep;
  /** The reservation a decided reply stands for; undefined when a later step refused the call. */
  result(reply: readonly unknown[]): ReserveResult | undefined;
  /** Rebuilds the counters an undecided reply names as missing. */
  rebuild(reply: readonly unknown[]): Promise<void>;
}

/** Nano-USD spent in a line's period so far, from the usage records (to rebuild a counter). */
export type SpendSource = (line: LedgerLine) => Promise<number>;

/**
 * Budget counters (contract 11.3): the reservation is taken against every applicable budget at
 * once or not at all, and settling replaces it with the real cost. A counter that does not exist
 * (a restart, a new period, Redis flushed) is first rebuilt from the usage records.
 */
export abstract class BudgetLedger {
  /** Where counters live, for logs: `memory` or `redis`. */
  abstract readonly kind: 'memory' | 'redis';
  abstract reserve(lines: readonly LedgerLine[], amountNano: number): Promise<ReserveResult>;
  /**
   * The reservation as a step of the call's Redis batch, for a ledger in Redis; undefined for one
   * that decides at once ({@link reserve}).
   */
  deferred(_lines: readonly LedgerLine[], _amountNano: number): DeferredReserve | undefined {
    return undefined;
  }
  /** Releases `reservedNano` on every line and adds `actualNano` to its spend. */
  abstract settle(
    lines: readonly LedgerLine[],
    reservedNano: number,
    actualNano: number,
  ): Promise<void>;
  /** A line's counter now (rebuilt when missing). */
  abstract state(line: LedgerLine): Promise<LedgerState>;
  /** Sends whatever is queued (settlements) before shutdown. */
  abstract flush(): Promise<void>;
}

/** The tightest line among those the amount would take past their limit, or -1. */
export function tightestRefusal(
  lines: readonly LedgerLine[],
  states: readonly { spentNano: number; reservedNano: number }[],
  amountNano: number,
): number {
  let refusedBy = -1;
  let least = Infinity;
  lines.forEach((line, i) => {
    const committed = states[i].spentNano + states[i].reservedNano;
    if (committed + amountNano <= line.limitNano) return;
    const remaining = line.limitNano - committed;
    if (remaining < least) {
      least = remaining;
      refusedBy = i;
    }
  });
  return refusedBy;
}
