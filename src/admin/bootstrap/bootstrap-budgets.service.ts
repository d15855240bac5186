import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { BudgetRepository } from '../../storage/budget.repository.js';
import type { AdminActor } from '../admin-events.service.js';
import { BudgetsAdminService } from '../metering/budgets-admin.service.js';
import { BootstrapFileError, type BootstrapPlan } from './bootstrap-plan.types.js';
import { BootstrapService } from './bootstrap.service.js';

const ACTOR: AdminActor = { via: 'bootstrap' };

/**
 * Applies the `budgets:` of the bootstrap file at start-up (contract 11.3), after its tenants:
 * the file is the source of truth for budgets with source `bootstrap` (created, replaced, and
 * deleted when the file no longer names them); a budget written through the API with the same id
 * stops start-up rather than being overwritten.
 */
@Injectable()
export class BootstrapBudgetsService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Bootstrap');

  constructor(
    private readonly bootstrap: BootstrapService,
    private readonly budgets: BudgetsAdminService,
    private readonly stored: BudgetRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const plan = await this.bootstrap.plan();
    if (plan !== undefined) await this.apply(plan);
  }

  async apply(plan: BootstrapPlan): Promise<void> {
    const counts = { created: 0, updated: 0, unchanged: 0, removed: 0 };
    try {
      for (const budget of plan.budgets) {
        const current = await this.stored.get(budget.id);
        if (current !== undefined && current.source !== 'bootstrap') {
          throw new Error(
            `budget '${budget.id}' exists and was written through the API or the CLI`,
          );
        }
        counts[await this.budgets.apply(budget, ACTOR)] += 1;
      }
      const named = new Set(plan.budgets.map((b) => b.id));
      for (const stale of await this.stored.list()) {
        if (stale.source !== 'bootstrap' || named.has(stale.id)) continue;
        await this.stored.delete(stale.id);
        counts.removed += 1;
      }
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new BootstrapFileError(plan.file, `budgets could not be applied: ${reason}`);
    }
    if (plan.budgets.length > 0 || counts.removed > 0) {
      this.logger.log({
        msg: `Bootstrap budgets applied: ${counts.created} created, ${counts.updated} updated, ${counts.removed} removed, ${counts.unchanged} unchanged`,
        file: plan.file,
      });
    }
  }
}
