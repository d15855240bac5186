import type { Redis } from 'ioredis';
import { withDeadline } from './deadline.js';
import {
  type BatchReply,
  type LuaFragment,
  type RedisStep,
  RedisScript,
} from './redis-step.types.js';
import { asError } from '../common/errors/as-error.js';

/** A decision that waits longer than this for Redis treats Redis as down for the call. */
const DEADLINE_MS = 1_000;
/** Writes wait at most this long for the next decision's round trip to carry them. */
const WRITE_DELAY_MS = 2;

/** A write that leaves the request path: sent with the next round trip, or on its own shortly. */
interface QueuedWrite {
  readonly script: RedisScript;
  readonly keys: readonly string[];
  readonly args: readonly (string | number)[];
  readonly done: (error: Error | null) => void;
}

/**
 * The gateway's round trips to its Redis counters (contract 11.3, 11.4). `run` sends the steps
 * of one call's decisions (rate limits, budgets: each stage contributes its own) as one Lua script
 * composed of their fragments, so the call costs one round trip and the decisions are atomic
 * together: when one refuses, nothing is taken by those after it, and those before it keep only
 * what a refused call keeps. `queue` takes writes that need no answer (settlements): they ride in
 * the pipeline of the next `run`, or leave on their own after {@link WRITE_DELAY_MS}.
 */
export class RedisStepRunner {
  private readonly composed = new Map<string, RedisScript>();
  private writes: QueuedWrite[] = [];
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly client: Redis,
    private readonly deadlineMs = DEADLINE_MS,
  ) {}

  /** Whether the connection is up: when not, callers decide on their own counters at once. */
  get ready(): boolean {
    return this.client.status === 'ready';
  }

  /** Sends the steps in one round trip (with any queued writes in front of them). */
  async run(steps: readonly RedisStep[]): Promise<BatchReply> {
    const script = this.compose(steps.map((step) => step.fragment));
    const keys = steps.flatMap((step) => step.keys);
    const args: (string | number)[] = steps.flatMap((step) => [step.keys.length, step.args.length]);
    for (const step of steps) args.push(...step.args);
    const pipeline = this.client.pipeline();
    const writes = this.drain();
    for (const write of writes)
      pipeline.evalsha(write.script.sha, write.keys.length, ...write.keys, ...write.args);
    pipeline.evalsha(script.sha, keys.length, ...keys, ...args);
    const sent = pipeline.exec();
    // The writes learn their fate whenever the pipeline answers, even past the call's deadline.
    void this.report(writes, sent);
    const results = await withDeadline(
      sent,
      this.deadlineMs,
      `Redis gave no answer in ${this.deadlineMs} ms`,
    );
    const [error, answer] = results?.[writes.length] ?? [
      new Error('Redis answered no reply'),
      null,
    ];
    let reply = answer;
    if (isNoScript(error)) {
      reply = await withDeadline(
        this.client.eval(script.lua, keys.length, ...keys, ...args),
        this.deadlineMs,
        `Redis gave no answer in ${this.deadlineMs} ms`,
      );
    } else if (error) {
      throw error;
    }
    return decode(reply as unknown[]);
  }

  /** Queues a write; the promise settles once Redis took it (or refused it). */
  queue(
    script: RedisScript,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      this.writes.push({
        script,
        keys,
        args,
        done: (error) => (error ? reject(error) : resolve()),
      });
      this.timer ??= setTimeout(() => void this.flush(), WRITE_DELAY_MS);
    });
  }

  /** Sends the queued writes now (shutdown, tests); never rejects (each write reports its own). */
  async flush(): Promise<void> {
    const writes = this.drain();
    if (writes.length === 0) return;
    const pipeline = this.client.pipeline();
    for (const write of writes)
      pipeline.evalsha(write.script.sha, write.keys.length, ...write.keys, ...write.args);
    await this.report(writes, pipeline.exec());
  }

  private drain(): QueuedWrite[] {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const writes = this.writes;
    this.writes = [];
    return writes;
  }

  /** Settles each write on its reply, loading its script where Redis lost it. */
  private async report(
    writes: readonly QueuedWrite[],
    sent: Promise<[Error | null, unknown][] | null>,
  ): Promise<void> {
    if (writes.length === 0) return;
    let results: [Error | null, unknown][];
    try {
      results = (await sent) ?? [];
    } catch (error) {
      for (const write of writes) write.done(asError(error));
      return;
    }
    await Promise.all(
      writes.map(async (write, i) => {
        const error = results[i]?.[0] ?? null;
        if (!isNoScript(error)) return write.done(error);
        try {
          await this.client.eval(write.script.lua, write.keys.length, ...write.keys, ...write.args);
          write.done(null);
        } catch (retryError) {
          write.done(asError(retryError));
        }
      }),
    );
  }

  private compose(fragments: readonly LuaFragment[]): RedisScript {
    const name = fragments.map((fragment) => fragment.name).join('+');
    let script = this.composed.get(name);
    if (script === undefined) {
      script = new RedisScript(composeLua(fragments));
      this.composed.set(name, script);
    }
    return script;
  }
}

/**
 * The script of a batch: the fragments' tables, then the driver. ARGV starts with each step's
 * key and argument counts, then every step's arguments; KEYS is every step's keys in order.
 * Answers {1, reply...} when decided, {0, step, reply} when a step needs its counters rebuilt.
 */
export function composeLua(fragments: readonly LuaFragment[]): string {
  const steps = fragments.map((f) => `(function()\n${f.lua}\nend)()`).join(',\n');
  return `local steps = {
${steps}
}
local n = #steps
local keys, argv = {}, {}
local k, a = 0, 2 * n
for i = 1, n do
  local nk, na = tonumber(ARGV[2 * i - 1]), tonumber(ARGV[2 * i])
  keys[i], argv[i] = {}, {}
  for j = 1, nk do keys[i][j] = KEYS[k + j] end
  for j = 1, na do argv[i][j] = ARGV[a + j] end
  k, a = k + nk, a + na
end
local verdicts, states, last = {}, {}, n
for i = 1, n do
  verdicts[i], states[i] = steps[i].check(keys[i], argv[i])
  if verdicts[i] ~= 1 then last = i; break end
end
if verdicts[last] == -1 then
  return {0, last, steps[last].answer(keys[last], argv[last], states[last], -1, 0)}
end
local all = 0
if verdicts[last] == 1 then all = 1 end
local out = {1}
for i = 1, last do
  out[i + 1] = steps[i].answer(keys[i], argv[i], states[i], verdicts[i], all)
end
return out
`;
}

function decode(reply: unknown[]): BatchReply {
  if (reply[0] === 1) return { decided: true, replies: reply.slice(1) as unknown[][] };
  return { decided: false, step: Number(reply[1]) - 1, reply: reply[2] as unknown[] };
}

function isNoScript(error: Error | null | undefined): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}
