import type { RedisStepRunner } from '../../storage/redis-step.runner.js';
import type { BatchReply, RedisStep } from '../../storage/redis-step.types.js';
import type { GovernanceContext } from './governance-context.js';

/** A stage's share of the call's Redis round trip, with how the stage decides on its answer. */
export interface CounterStep {
  readonly redis: RedisStep;
  /** Decides on the step's reply: records what was taken, or throws the stage's refusal. */
  decide(reply: readonly unknown[]): void | Promise<void>;
  /** Redis did not answer for this step: decide without it (the stage's own fallback). */
  fallback(error: unknown): void | Promise<void>;
  /** Rebuilds the counters an undecided reply names; the batch is then sent again. */
  rebuild?(reply: readonly unknown[]): Promise<void>;
}

/** A counter rebuilt this often and still missing is treated as Redis failing for that step. */
const MAX_REBUILDS = 3;

/**
 * The Redis steps of one call's counter stages (rate limits at stage 3, budgets at stage 5),
 * sent together once by {@link run} (the counter guard after stage 5, or validation refusing
 * first): one round trip, one atomic script. Each stage keeps its own module and decides on its
 * own reply, in stage order, so the first refusal wins as it would stage by stage.
 */
export class CounterBatch {
  private steps: CounterStep[] = [];

  private constructor(private readonly runner: RedisStepRunner) {}

  /** Adds a stage's step to the call's batch (created by the first step). */
  static defer(context: GovernanceContext, runner: RedisStepRunner, step: CounterStep): void {
    (context.counters ??= new CounterBatch(runner)).steps.push(step);
  }

  /** Sends the pending steps and lets each stage decide; throws the first refusal. */
  async run(): Promise<void> {
    const steps = this.steps;
    this.steps = [];
    if (steps.length === 0) return;
    // Steps that decide without Redis: all of them when it fails, one whose rebuild failed.
    const fallen = new Map<CounterStep, unknown>();
    let sent = steps;
    let replies: readonly (readonly unknown[])[] = [];
    for (let attempt = 0; sent.length > 0; attempt++) {
      let batch: BatchReply;
      try {
        batch = await this.runner.run(sent.map((step) => step.redis));
      } catch (error) {
        for (const step of sent) fallen.set(step, error);
        sent = [];
        break;
      }
      if (batch.decided) {
        replies = batch.replies;
        break;
      }
      const missing = sent[batch.step];
      try {
        if (missing.rebuild === undefined || attempt >= MAX_REBUILDS) {
          throw new Error('counters vanished while being rebuilt');
        }
        await missing.rebuild(batch.reply);
      } catch (error) {
        fallen.set(missing, error);
        sent = sent.filter((step) => step !== missing);
      }
    }
    for (const step of steps) {
      if (fallen.has(step)) {
        await step.fallback(fallen.get(step));
        continue;
      }
      const reply = replies[sent.indexOf(step)];
      // None: an earlier step refused, and its stage has thrown already.
      if (reply !== undefined) await step.decide(reply);
    }
  }
}
