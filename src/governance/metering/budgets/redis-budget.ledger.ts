import { Logger } from '@nestjs/common';
import type { ChainableCommander, Redis } from 'ioredis';
import {
  BudgetLedger,
  type LedgerLine,
  type LedgerState,
  type ReserveResult,
  type SpendSource,
} from './budget-ledger.js';
import { withDeadline } from '../../../storage/deadline.js';

/** How long a reservation waits for Redis before the stage uses its own counters. */
const RESERVE_DEADLINE_MS = 1_000;

/**
 * Reserve against every line at once, or not at all. KEYS: one hash per line ({spent, reserved,
 * warned}); ARGV: amount, then per line its limit, soft limit and expiry (epoch ms). Answers
 * {-1, missing indexes} when a counter must be rebuilt first, {0, refusing index, states} on a
 * refusal, {1, 0, states} when admitted; states are spent, reserved, crossed-soft per line.
 */
const RESERVE = `
local amount = tonumber(ARGV[1])
local n = #KEYS
local missing = {}
for i = 1, n do
  if redis.call('EXISTS', KEYS[i]) == 0 then missing[#missing + 1] = i end
end
if #missing > 0 then return {-1, missing} end
local spent, reserved = {}, {}
local refused, least = 0, nil
for i = 1, n do
  local v = redis.call('HMGET', KEYS[i], 'spent', 'reserved')
  spent[i] = tonumber(v[1]) or 0
  reserved[i] = tonumber(v[2]) or 0
  local limit = tonumber(ARGV[1 + (i - 1) * 3 + 1])
  if spent[i] + reserved[i] + amount > limit then
    local remaining = limit - spent[i] - reserved[i]
    if least == nil or remaining < least then least = remaining; refused = i end
  end
end
local out = {1, 0}
if refused > 0 then
  out = {0, refused}
  for i = 1, n do
    out[#out + 1] = spent[i]; out[#out + 1] = reserved[i]; out[#out + 1] = 0
  end
  return out
end
for i = 1, n do
  local soft = tonumber(ARGV[1 + (i - 1) * 3 + 2])
  local r = redis.call('HINCRBY', KEYS[i], 'reserved', amount)
  local crossed = 0
  if spent[i] + r > soft and redis.call('HSETNX', KEYS[i], 'warned', 1) == 1 then crossed = 1 end
  redis.call('PEXPIREAT', KEYS[i], ARGV[1 + (i - 1) * 3 + 3])
  out[#out + 1] = spent[i]; out[#out + 1] = r; out[#out + 1] = crossed
end
return out
`;

/**
 * Release a reservation and add the real cost, on every line. A counter that vanished in between
 * (Redis flushed) is left to be rebuilt from the records; `reserved` never goes below zero.
 * ARGV: reserved, actual.
 */
const SETTLE = `
for i = 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    local r = redis.call('HINCRBY', KEYS[i], 'reserved', -tonumber(ARGV[1]))
    if r < 0 then redis.call('HSET', KEYS[i], 'reserved', 0) end
    if tonumber(ARGV[2]) > 0 then redis.call('HINCRBY', KEYS[i], 'spent', ARGV[2]) end
  end
end
return 1
`;

/** Rebuild a counter unless another replica already did. ARGV: spent, warned (0/1), expiry. */
const SEED = `
if redis.call('HSETNX', KEYS[1], 'spent', ARGV[1]) == 1 then
  redis.call('HSETNX', KEYS[1], 'reserved', 0)
  if ARGV[2] == '1' then redis.call('HSETNX', KEYS[1], 'warned', 1) end
  redis.call('PEXPIREAT', KEYS[1], ARGV[3])
end
return 1
`;

/** Settlements wait at most this long for the next reservation to carry them. */
const SETTLE_DELAY_MS = 2;

/** The scripts as `defineCommand` adds them, on a pipeline (queued: nothing to await). */
interface PipelinedCommands {
  budgetReserve(...args: (string | number)[]): unknown;
  budgetSettle(...args: (string | number)[]): unknown;
}

interface SeedCommand {
  budgetSeed(...args: (string | number)[]): Promise<unknown>;
}

/**
 * Counters in Redis, shared by every replica (contract 11.3): a reservation is one Lua script over
 * all the call's budgets, so no two replicas can both take the last dollar. Settlements are queued
 * and sent in the same pipeline as the next reservation (or after {@link SETTLE_DELAY_MS}), so a
 * call costs one round trip. Counters missing from Redis (a restart of Redis, FLUSHALL, a new
 * period) are rebuilt from the usage records before the reservation is retried.
 */
export class RedisBudgetLedger extends BudgetLedger {
  readonly kind = 'redis';
  private readonly logger = new Logger('Budgets');
  private settles: { lines: readonly LedgerLine[]; reserved: number; actual: number }[] = [];
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly client: Redis,
    private readonly spent: SpendSource,
    private readonly namespace = 'budget:',
  ) {
    super();
    client.defineCommand('budgetReserve', { lua: RESERVE });
    client.defineCommand('budgetSettle', { lua: SETTLE });
    client.defineCommand('budgetSeed', { lua: SEED });
  }

  async reserve(lines: readonly LedgerLine[], amountNano: number): Promise<ReserveResult> {
    for (let attempt = 0; ; attempt++) {
      const pipeline = this.client.pipeline();
      this.drainInto(pipeline);
      const args: (string | number)[] = [lines.length, ...lines.map((l) => this.keyOf(l))];
      args.push(amountNano);
      for (const line of lines) args.push(line.limitNano, line.softNano, line.expiresAt);
      (pipeline as unknown as PipelinedCommands).budgetReserve(...args);
      // A Redis that does not answer must not hold the call: past the deadline the stage falls
      // back to this process's counters.
      const results =
        (await withDeadline(
          pipeline.exec(),
          RESERVE_DEADLINE_MS,
          `Redis gave no answer in ${RESERVE_DEADLINE_MS} ms`,
        )) ?? [];
      const [error, reply] = results[results.length - 1] ?? [new Error('no reply'), null];
      if (error) throw error;
      const answer = reply as (number | number[])[];
      if (answer[0] === -1) {
        if (attempt >= 3) throw new Error('budget counters vanished while being rebuilt');
        const missing = (answer[1] as number[]).map((i) => lines[i - 1]);
        await Promise.all(missing.map((line) => this.seed(line)));
        continue;
      }
      return decode(answer);
    }
  }

  settle(lines: readonly LedgerLine[], reservedNano: number, actualNano: number): Promise<void> {
    this.settles.push({ lines, reserved: reservedNano, actual: Math.max(0, actualNano) });
    this.timer ??= setTimeout(() => {
      this.flushSettles().catch((error: unknown) => this.lost(error));
    }, SETTLE_DELAY_MS);
    return Promise.resolve();
  }

  async state(line: LedgerLine): Promise<LedgerState> {
    const key = this.keyOf(line);
    let values = await this.client.hmget(key, 'spent', 'reserved');
    if (values[0] === null) {
      await this.seed(line);
      values = await this.client.hmget(key, 'spent', 'reserved');
    }
    return {
      spentNano: Number(values[0] ?? 0),
      reservedNano: Number(values[1] ?? 0),
      crossedSoft: false,
    };
  }

  /** Sends the queued settlements now (shutdown, tests). */
  flush(): Promise<void> {
    return this.flushSettles();
  }

  private async flushSettles(): Promise<void> {
    if (this.settles.length === 0) return;
    const pipeline = this.client.pipeline();
    this.drainInto(pipeline);
    await pipeline.exec();
  }

  /**
   * Settlements that could not be sent leave their reservations standing until the counters
   * expire with their period (or are rebuilt): the safe side, refusing early rather than late.
   */
  private lost(error: unknown): void {
    this.logger.warn(
      `Could not settle budget reservations in Redis: ${error instanceof Error ? error.message : String(error)}`,
    );
  }

  private drainInto(pipeline: ChainableCommander): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const commands = pipeline as unknown as PipelinedCommands;
    for (const settle of this.settles) {
      commands.budgetSettle(
        settle.lines.length,
        ...settle.lines.map((l) => this.keyOf(l)),
        settle.reserved,
        settle.actual,
      );
    }
    this.settles = [];
  }

  private async seed(line: LedgerLine): Promise<void> {
    const spentNano = await this.spent(line);
    const warned = spentNano > line.softNano ? 1 : 0;
    await (this.client as unknown as SeedCommand).budgetSeed(
      1,
      this.keyOf(line),
      spentNano,
      warned,
      line.expiresAt,
    );
  }

  private keyOf(line: LedgerLine): string {
    return `${this.namespace}${line.key}`;
  }
}

function decode(answer: (number | number[])[]): ReserveResult {
  const numbers = answer as number[];
  const states: LedgerState[] = [];
  for (let i = 2; i + 2 < numbers.length; i += 3) {
    states.push({
      spentNano: Number(numbers[i]),
      reservedNano: Number(numbers[i + 1]),
      crossedSoft: Number(numbers[i + 2]) === 1,
    });
  }
  if (numbers[0] === 1) return { admitted: true, states };
  return { admitted: false, refusedBy: Number(numbers[1]) - 1, states };
}
