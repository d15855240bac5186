import { Injectable, Logger } from '@nestjs/common';
import type { CallOutcome, GovernanceContext } from './governance-context.js';

/** What observes every /v1 call as it ends: the audit trail, metrics, usage records. */
export interface CallObserver {
  callSettled(context: GovernanceContext, outcome: CallOutcome): void;
}

/**
 * Stage 11 (contract 8): the one place every /v1 call passes when it ends, whatever the outcome
 * (answered, refused at any stage including 401, failed upstream, cut short by the client).
 * Reservations are settled or released first, then every observer hears of the call exactly once.
 * Nothing here writes to a database: observers queue what they keep.
 */
@Injectable()
export class CallSettlement {
  private readonly logger = new Logger('Settlement');
  private readonly observers: CallObserver[] = [];
  private readonly preparers: ((context: GovernanceContext) => void)[] = [];
  /** Calls whose response is still open, each with what settles it now. */
  private readonly inFlight = new Map<GovernanceContext, () => void>();

  observe(observer: CallObserver): void {
    this.observers.push(observer);
  }

  /**
   * Runs `prepare` on every call after its reservations are settled and before any observer hears
   * of it: what every observer reads (the call's cost) is computed once, whatever their order.
   */
  prepare(prepare: (context: GovernanceContext) => void): void {
    this.preparers.push(prepare);
  }

  /**
   * Settles `context` with `outcome()` when `closed` fires, or earlier through
   * {@link settleInFlight}: exactly once either way.
   */
  settleWhen(
    context: GovernanceContext,
    closed: (settle: () => void) => void,
    outcome: () => CallOutcome,
  ): void {
    const settle = () => {
      if (!this.inFlight.delete(context)) return;
      this.settle(context, outcome());
    };
    this.inFlight.set(context, settle);
    closed(settle);
  }

  /**
   * Shutdown, when the grace period is over: settles every call still open before its connection
   * is cut. The connection's own `close` comes only after the HTTP server has reported itself
   * closed, when the audit and usage queues are already being flushed for the last time.
   */
  settleInFlight(): void {
    for (const settle of [...this.inFlight.values()]) settle();
  }

  settle(context: GovernanceContext, outcome: CallOutcome): void {
    for (const reservation of context.reservations) {
      try {
        const settled = reservation.settle(outcome, context);
        if (settled instanceof Promise)
          settled.catch((error: unknown) => this.report(context, error));
      } catch (error) {
        this.report(context, error);
      }
    }
    for (const prepare of this.preparers) {
      try {
        prepare(context);
      } catch (error) {
        this.report(context, error);
      }
    }
    for (const observer of this.observers) {
      try {
        observer.callSettled(context, outcome);
      } catch (error) {
        this.report(context, error);
      }
    }
  }

  private report(context: GovernanceContext, error: unknown): void {
    this.logger.error({
      msg: `settling a call failed: ${error instanceof Error ? error.message : String(error)}`,
      trace_id: context.traceId,
    });
  }
}
