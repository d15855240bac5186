import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { RedisStepRunner } from '../../../storage/redis-step.runner.js';
import { type LuaFragment, RedisScript } from '../../../storage/redis-step.types.js';
import {
  BudgetLedger,
  type DeferredReserve,
  type LedgerLine,
  type LedgerState,
  type ReserveResult,
  type SpendSource,
} from './budget-ledger.js';

/**
 * Reserves against every line at once, or not at all, as one step of the call's batch
 * (storage/redis-step.types.ts). keys: one hash per line ({spent, reserved, warned}); argv:
 * amount, then per line its limit, soft limit and expiry (epoch ms). Replies {-1, missing
 * indexes} when a counter must be rebuilt first, {0, refusing index, states} on a refusal, {1, 0,
 * states} when taken, {2, 0, states} when it fits but a later step refused (nothing taken);
 * states are spent, reserved, crossed-soft per line.
 */
const RESERVE: LuaFragment = {
  name: 'budgets',
  lua: `
local step = {}
function step.check(keys, argv)
  local amount = tonumber(argv[1])
  local missing = {}
  for i = 1, #keys do
    if redis.call('EXISTS', keys[i]) == 0 then missing[#missing + 1] = i end
  end
  if #missing > 0 then return -1, {missing = missing} end
  local spent, reserved = {}, {}
  local refused, least = 0, nil
  for i = 1, #keys do
    local v = redis.call('HMGET', keys[i], 'spent', 'reserved')
    spent[i] = tonumber(v[1]) or 0
    reserved[i] = tonumber(v[2]) or 0
    local limit = tonumber(argv[1 + (i - 1) * 3 + 1])
    if spent[i] + reserved[i] + amount > limit then
      local remaining = limit - spent[i] - reserved[i]
      if least == nil or remaining < least then least = remaining; refused = i end
    end
  end
  local fits = 1
  if refused > 0 then fits = 0 end
  return fits, {spent = spent, reserved = reserved, refused = refused}
end
function step.answer(keys, argv, s, verdict, all)
  if verdict == -1 then return {-1, s.missing} end
  local out = {0, s.refused}
  if verdict == 1 then out = {1 + (1 - all), 0} end
  for i = 1, #keys do
    local r, crossed = s.reserved[i], 0
    if verdict == 1 and all == 1 then
      local soft = tonumber(argv[1 + (i - 1) * 3 + 2])
      r = redis.call('HINCRBY', keys[i], 'reserved', argv[1])
      if s.spent[i] + r > soft and redis.call('HSETNX', keys[i], 'warned', 1) == 1 then crossed = 1 end
      redis.call('PEXPIREAT', keys[i], argv[1 + (i - 1) * 3 + 3])
    end
    out[#out + 1] = s.spent[i]; out[#out + 1] = r; out[#out + 1] = crossed
  end
  return out
end
return step`,
};

/**
 * Release a reservation and add the real cost, on every line. A counter that vanished in between
 * (Redis flushed) is left to be rebuilt from the records; `reserved` never goes below zero.
 * ARGV: reserved, actual.
 */
const SETTLE = new RedisScript(`
for i = 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    local r = redis.call('HINCRBY', KEYS[i], 'reserved', -tonumber(ARGV[1]))
    if r < 0 then redis.call('HSET', KEYS[i], 'reserved', 0) end
    if tonumber(ARGV[2]) > 0 then redis.call('HINCRBY', KEYS[i], 'spent', ARGV[2]) end
  end
end
return 1
`);

/** Rebuild a counter unless another replica already did. ARGV: spent, warned (0/1), expiry. */
const SEED = `
if redis.call('HSETNX', KEYS[1], 'spent', ARGV[1]) == 1 then
  redis.call('HSETNX', KEYS[1], 'reserved', 0)
  if ARGV[2] == '1' then redis.call('HSETNX', KEYS[1], 'warned', 1) end
  redis.call('PEXPIREAT', KEYS[1], ARGV[3])
end
return 1
`;

interface SeedCommand {
  budgetSeed(...args: (string | number)[]): Promise<unknown>;
}

/**
 * Counters in Redis, shared by every replica (contract 11.3): a reservation is one Lua step over
 * all the call's budgets, so no two replicas can both take the last dollar; it goes out in the
 * call's batch with its rate limits, one round trip (pipeline/counter-batch.ts). Settlements are
 * queued writes, carried by the next round trip or sent on their own right after. Counters
 * missing from Redis (a restart of Redis, FLUSHALL, a new period) are rebuilt from the usage
 * records before the batch is sent again.
 */
export class RedisBudgetLedger extends BudgetLedger {
  readonly kind = 'redis';
  private readonly logger = new Logger('Budgets');

  constructor(
    private readonly client: Redis,
    private readonly runner: RedisStepRunner,
    private readonly spent: SpendSource,
    private readonly namespace = 'budget:',
  ) {
    super();
    client.defineCommand('budgetSeed', { lua: SEED });
  }

  override deferred(lines: readonly LedgerLine[], amountNano: number): DeferredReserve {
    const args: (string | number)[] = [amountNano];
    for (const line of lines) args.push(line.limitNano, line.softNano, line.expiresAt);
    return {
      runner: this.runner,
      step: { fragment: RESERVE, keys: lines.map((l) => this.keyOf(l)), args },
      result: decode,
      rebuild: async (reply) => {
        const missing = (reply[1] as number[]).map((i) => lines[Number(i) - 1]);
        await Promise.all(missing.map((line) => this.seed(line)));
      },
    };
  }

  async reserve(lines: readonly LedgerLine[], amountNano: number): Promise<ReserveResult> {
    const deferred = this.deferred(lines, amountNano);
    for (let attempt = 0; ; attempt++) {
      const batch = await this.runner.run([deferred.step]);
      if (batch.decided) return decode(batch.replies[0])!;
      if (attempt >= 3) throw new Error('budget counters vanished while being rebuilt');
      await deferred.rebuild(batch.reply);
    }
  }

  settle(lines: readonly LedgerLine[], reservedNano: number, actualNano: number): Promise<void> {
    this.runner
      .queue(
        SETTLE,
        lines.map((l) => this.keyOf(l)),
        [reservedNano, Math.max(0, actualNano)],
      )
      .catch((error: unknown) => this.lost(error));
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
    return this.runner.flush();
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

/** The reservation a decided reply stands for; undefined when a later step refused the call. */
function decode(answer: readonly unknown[]): ReserveResult | undefined {
  const numbers = answer.map(Number);
  if (numbers[0] === 2) return undefined;
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
