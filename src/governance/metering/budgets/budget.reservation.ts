import type {
  CallOutcome,
  GovernanceContext,
  Reservation,
} from '../../pipeline/governance-context.js';
import type { CallCosting } from '../usage/call-costing.service.js';
import type { BudgetLedger, LedgerLine } from './budget-ledger.js';

/**
 * What one call reserved against its budgets (contract 11.3), settled once when the call ends:
 * replaced by the call's real cost when an upstream answered (a stream cut short costs what was
 * delivered), released whole when it was refused or failed before any answer.
 */
export class BudgetReservation implements Reservation {
  private settled = false;

  constructor(
    private readonly ledger: BudgetLedger,
    private readonly costing: CallCosting,
    readonly lines: readonly LedgerLine[],
    readonly amountNano: number,
  ) {}

  settle(_outcome: CallOutcome, context: GovernanceContext): Promise<void> {
    if (this.settled) return Promise.resolve();
    this.settled = true;
    const actual = this.costing.costOf(context)?.nano ?? 0;
    return this.ledger.settle(this.lines, this.amountNano, actual);
  }
}
