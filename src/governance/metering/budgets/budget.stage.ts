import { Inject, Injectable, Logger } from '@nestjs/common';
import { ErrorCode } from '../../../common/errors/error-code.js';
import { GatewayError } from '../../../common/errors/gateway-error.js';
import type { BudgetStanding, GovernanceContext } from '../../pipeline/governance-context.js';
import { CounterBatch } from '../../pipeline/counter-batch.js';
import { GovernanceEvents } from '../../pipeline/governance-events.js';
import { GovernanceStage } from '../../pipeline/governance-stage.js';
import { nanoToUsd } from '../pricing/cost.calculator.js';
import { CallCosting } from '../usage/call-costing.service.js';
import { promptTokensOf } from '../usage/prompt-tokens.js';
import {
  BudgetLedger,
  type LedgerLine,
  type LedgerState,
  type ReserveResult,
} from './budget-ledger.js';
import { ledgerLine } from './budget-lines.js';
import { BudgetRegistry } from './budget.registry.js';
import { BudgetReservation } from './budget.reservation.js';
import type { Budget } from './budget.types.js';

/** One call's reservation, as the stage works it out. */
interface Call {
  readonly context: GovernanceContext;
  readonly budgets: readonly Budget[];
  readonly lines: readonly LedgerLine[];
  readonly amount: number;
}

/** DI token of the clock budgets read their periods from (tests move it). */
export const METERING_CLOCK = Symbol('METERING_CLOCK');
/** DI token of the per-process ledger used while the shared one (Redis) does not answer. */
export const FALLBACK_BUDGET_LEDGER = Symbol('FALLBACK_BUDGET_LEDGER');

/**
 * Stage 5, budgets (contract 11.3): reserves the call's estimated cost against every budget of
 * its tenant and key at once, or refuses it with 402 `budget_cap_hard` naming the tightest budget
 * that would pass its limit. With Redis the reservation is a step of the call's counter batch
 * (pipeline/counter-batch.ts), decided with its rate limits in one round trip. Sets the
 * utilisation the policy `budget_utilization` condition reads and the standing the answer's
 * headers report. Idle (free) while no budget exists.
 *
 * When the shared ledger cannot answer (Redis down), the call is reserved against this process's
 * own counters instead, rebuilt from the usage records (budgets then hold per replica, as rate
 * limits do), and the outage is logged once. Governance fails closed: if no ledger can answer,
 * the call is refused with 503 `budget_unavailable`, never let through unreserved.
 */
@Injectable()
export class BudgetStage extends GovernanceStage {
  private readonly logger = new Logger('Budgets');
  private failing = false;

  constructor(
    private readonly registry: BudgetRegistry,
    private readonly ledger: BudgetLedger,
    private readonly costing: CallCosting,
    private readonly events: GovernanceEvents,
    @Inject(METERING_CLOCK) private readonly now: () => number,
    @Inject(FALLBACK_BUDGET_LEDGER) private readonly fallback: BudgetLedger | null,
  ) {
    super();
  }

  get active(): boolean {
    return this.registry.active;
  }

  admit(context: GovernanceContext): void | Promise<void> {
    const tenantId = context.tenant?.id;
    if (tenantId === undefined || context.facts === undefined) return;
    const budgets = this.registry.applicable(tenantId, context.keyId);
    if (budgets.length === 0) return;
    const now = this.now();
    const call: Call = {
      context,
      budgets,
      lines: budgets.map((budget) => ledgerLine(budget, now)),
      amount: this.costing.estimateNano(context, promptTokensOf(context)),
    };
    const deferred = this.ledger.deferred(call.lines, call.amount);
    if (deferred === undefined) return this.reserveNow(call);
    // Redis: the reservation goes out with the call's rate limits, in one round trip.
    CounterBatch.defer(context, deferred.runner, {
      redis: deferred.step,
      rebuild: (reply) => deferred.rebuild(reply),
      decide: (reply) => {
        this.recovered();
        const result = deferred.result(reply);
        if (result !== undefined) this.conclude(call, this.ledger, result);
      },
      fallback: (error) => this.reserveOnFallback(call, error),
    });
  }

  private async reserveNow(call: Call): Promise<void> {
    let result: ReserveResult;
    try {
      result = await this.ledger.reserve(call.lines, call.amount);
    } catch (error) {
      return this.reserveOnFallback(call, error);
    }
    this.recovered();
    this.conclude(call, this.ledger, result);
  }

  private async reserveOnFallback(call: Call, error: unknown): Promise<void> {
    this.outage(error);
    if (this.fallback === null) throw unavailable(error);
    let result: ReserveResult;
    try {
      result = await this.fallback.reserve(call.lines, call.amount);
    } catch (fallbackError) {
      throw unavailable(fallbackError);
    }
    this.conclude(call, this.fallback, result);
  }

  /** Refuses the call with the tightest budget it would pass, or records its reservation. */
  private conclude(call: Call, ledger: BudgetLedger, result: ReserveResult): void {
    const { context, budgets, lines, amount } = call;
    if (!result.admitted) {
      const budget = budgets[result.refusedBy];
      const state = result.states[result.refusedBy];
      this.events.emit({
        type: 'BUDGET_CAP_HARD',
        traceId: context.traceId,
        tenantId: context.tenantId,
        keyId: context.keyId,
        payload: {
          budget_id: budget.id,
          period: budget.period,
          period_key: lines[result.refusedBy].key.slice(budget.id.length + 1),
          limit_usd: budget.limitUsd,
          spent_usd: nanoToUsd(state.spentNano),
          reserved_usd: nanoToUsd(state.reservedNano),
          estimate_usd: nanoToUsd(amount),
        },
      });
      throw refusal(budget, lines[result.refusedBy], state, amount);
    }
    context.reservations.push(new BudgetReservation(ledger, this.costing, lines, amount));
    this.stand(context, budgets, lines, result.states, amount);
  }

  private stand(
    context: GovernanceContext,
    budgets: readonly Budget[],
    lines: readonly LedgerLine[],
    states: readonly LedgerState[],
    amount: number,
  ): void {
    let tightest: BudgetStanding | undefined;
    let utilization = 0;
    let warning = false;
    lines.forEach((line, i) => {
      const committed = states[i].spentNano + states[i].reservedNano;
      if (committed > line.softNano) warning = true;
      const pct = line.limitNano === 0 ? 100 : (committed / line.limitNano) * 100;
      utilization = Math.max(utilization, pct);
      const remaining = line.limitNano - committed;
      if (tightest === undefined || remaining < tightest.limitNano - tightest.committedNano) {
        tightest = {
          limitNano: line.limitNano,
          committedNano: committed,
          reservedNano: amount,
          warning: false,
        };
      }
      if (states[i].crossedSoft) {
        this.events.emit({
          type: 'BUDGET_CAP_WARNING',
          traceId: context.traceId,
          tenantId: context.tenant?.id,
          keyId: context.keyId,
          payload: {
            budget_id: budgets[i].id,
            period: budgets[i].period,
            period_key: line.key.slice(budgets[i].id.length + 1),
            limit_usd: budgets[i].limitUsd,
            soft_limit_pct: budgets[i].softLimitPct,
            committed_usd: nanoToUsd(committed),
          },
        });
      }
    });
    context.budget = tightest && { ...tightest, warning };
    context.budgetUtilizationPct = utilization;
  }

  private outage(error: unknown): void {
    if (this.failing) return;
    this.failing = true;
    this.logger.error(
      `Budget counters (${this.ledger.kind}) do not answer; ${this.fallback === null ? 'calls under a budget are refused' : "calls are reserved against this process's own counters (budgets hold per replica)"} until they do: ${error instanceof Error ? error.message : String(error)}`,
    );
  }

  private recovered(): void {
    if (!this.failing) return;
    this.failing = false;
    this.logger.log(`Budget counters (${this.ledger.kind}) answer again.`);
  }
}

function refusal(
  budget: Budget,
  line: LedgerLine,
  state: LedgerState,
  amount: number,
): GatewayError {
  const usd = (nano: number) => nanoToUsd(nano).toFixed(6);
  const scope = budget.keyId === null ? `tenant '${budget.tenantId}'` : `key '${budget.keyId}'`;
  const period = line.key.slice(budget.id.length + 1);
  return new GatewayError(
    ErrorCode.BudgetCapHard,
    `Budget '${budget.id}' (${scope}, ${budget.period} ${period}) would be exceeded: limit ${usd(line.limitNano)} USD, spent ${usd(state.spentNano)}, reserved by calls in flight ${usd(state.reservedNano)}, this call's estimate ${usd(amount)}.`,
  );
}

/** No ledger answers: the call is refused rather than let through unreserved. */
function unavailable(cause: unknown): GatewayError {
  return new GatewayError(
    ErrorCode.BudgetUnavailable,
    'Budget counters are unavailable; the call cannot be reserved against its budget. Retry shortly.',
    { cause, retryable: true, retryAfterSeconds: 1 },
  );
}
