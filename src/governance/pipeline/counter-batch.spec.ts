import { describe, expect, it } from '@jest/globals';
import type { RedisStepRunner } from '../../storage/redis-step.runner.js';
import type { BatchReply, RedisStep } from '../../storage/redis-step.types.js';
import { CounterBatch, type CounterStep } from './counter-batch.js';
import { GovernanceContext } from './governance-context.js';

/** A runner answering from a script of replies (or errors), recording what it was sent. */
function runner(answers: (BatchReply | Error)[]) {
  const sent: string[][] = [];
  const fake = {
    run(steps: readonly RedisStep[]): Promise<BatchReply> {
      sent.push(steps.map((step) => step.fragment.name));
      const next = answers.shift();
      if (next === undefined) throw new Error('unscripted round trip');
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
    },
  };
  return { runner: fake as unknown as RedisStepRunner, sent };
}

/** A step that logs what it was asked to do, and refuses when told to. */
function step(name: string, log: string[], refuse = false): CounterStep {
  return {
    redis: { fragment: { name, lua: '' }, keys: [], args: [] },
    decide: (reply) => {
      log.push(`${name} decides ${JSON.stringify(reply)}`);
      if (refuse) throw new Error(`${name} refused`);
    },
    fallback: (error) => {
      log.push(`${name} falls back: ${(error as Error).message}`);
    },
    rebuild: (reply) => {
      log.push(`${name} rebuilds ${JSON.stringify(reply)}`);
      return Promise.resolve();
    },
  };
}

describe(CounterBatch.name, () => {
  const context = () => new GovernanceContext('trace', 'POST', '/v1/chat/completions', 0);

  it('sends every step of the call once and lets each decide, in order', async () => {
    const log: string[] = [];
    const { runner: fake, sent } = runner([{ decided: true, replies: [[1], [2]] }]);
    const call = context();
    CounterBatch.defer(call, fake, step('rate', log));
    CounterBatch.defer(call, fake, step('budget', log));
    await call.counters!.run();
    expect(sent).toEqual([['rate', 'budget']]);
    expect(log).toEqual(['rate decides [1]', 'budget decides [2]']);
    // Sent once: running again sends nothing.
    await call.counters!.run();
    expect(sent).toHaveLength(1);
  });

  it('stops at the first refusal: a step without a reply is never decided', async () => {
    const log: string[] = [];
    const { runner: fake } = runner([{ decided: true, replies: [[0]] }]);
    const call = context();
    CounterBatch.defer(call, fake, step('rate', log, true));
    CounterBatch.defer(call, fake, step('budget', log));
    await expect(call.counters!.run()).rejects.toThrow('rate refused');
    expect(log).toEqual(['rate decides [0]']);
  });

  it('rebuilds missing counters and sends the batch again', async () => {
    const log: string[] = [];
    const { runner: fake, sent } = runner([
      { decided: false, step: 1, reply: [-1, [1]] },
      { decided: true, replies: [[1], [1]] },
    ]);
    const call = context();
    CounterBatch.defer(call, fake, step('rate', log));
    CounterBatch.defer(call, fake, step('budget', log));
    await call.counters!.run();
    expect(sent).toEqual([
      ['rate', 'budget'],
      ['rate', 'budget'],
    ]);
    expect(log).toEqual(['budget rebuilds [-1,[1]]', 'rate decides [1]', 'budget decides [1]']);
  });

  it('lets every step fall back, in order, when Redis fails', async () => {
    const log: string[] = [];
    const { runner: fake } = runner([new Error('connection reset')]);
    const call = context();
    CounterBatch.defer(call, fake, step('rate', log));
    CounterBatch.defer(call, fake, step('budget', log));
    await call.counters!.run();
    expect(log).toEqual([
      'rate falls back: connection reset',
      'budget falls back: connection reset',
    ]);
  });

  it('drops a step whose counters stay missing: it falls back, the others still go to Redis', async () => {
    const log: string[] = [];
    const missing: BatchReply = { decided: false, step: 1, reply: [-1, [1]] };
    const { runner: fake, sent } = runner([
      missing,
      missing,
      missing,
      missing,
      { decided: true, replies: [[1]] },
    ]);
    const call = context();
    CounterBatch.defer(call, fake, step('rate', log));
    CounterBatch.defer(call, fake, step('budget', log));
    await call.counters!.run();
    expect(sent.at(-1)).toEqual(['rate']);
    expect(log.slice(-2)).toEqual([
      'rate decides [1]',
      'budget falls back: counters vanished while being rebuilt',
    ]);
  });
});
