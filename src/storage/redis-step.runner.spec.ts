import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { TEST_REDIS_URL } from '../../test/helpers/storage-harness.js';
import { RedisStepRunner } from './redis-step.runner.js';
import { type LuaFragment, RedisScript } from './redis-step.types.js';

/**
 * A counter step for the test: fits while the counter (which must exist, else -1) plus the cost
 * stays within the limit; a refused call keeps its cost when argv[3] is 1.
 * argv: limit, cost, kept.
 */
const COUNTER: LuaFragment = {
  name: 'test-counter',
  lua: `
local step = {}
function step.check(keys, argv)
  local value = redis.call('GET', keys[1])
  if not value then return -1, 0 end
  value = tonumber(value)
  if value + tonumber(argv[2]) > tonumber(argv[1]) then return 0, value end
  return 1, value
end
function step.answer(keys, argv, value, verdict, all)
  if verdict == 1 and (all == 1 or argv[3] == '1') then
    value = redis.call('INCRBY', keys[1], argv[2])
  end
  return {verdict, value}
end
return step`,
};

const INCR = new RedisScript(`return redis.call('INCRBY', KEYS[1], ARGV[1])`);

/** The runner against a real Redis (services.md), under a key prefix of its own. */
describe(RedisStepRunner.name, () => {
  let client: Redis;
  let runner: RedisStepRunner;
  const prefix = `gw-test-steps-${randomBytes(4).toString('hex')}:`;
  const step = (key: string, limit: number, cost: number, kept = false) => ({
    fragment: COUNTER,
    keys: [key],
    args: [limit, cost, kept ? 1 : 0],
  });

  beforeAll(async () => {
    client = new Redis(TEST_REDIS_URL, { keyPrefix: prefix });
    runner = new RedisStepRunner(client);
    await client.mset('a', 0, 'b', 0, 'c', 0);
  });
  afterAll(async () => {
    const keys = await client.keys(`${prefix}*`);
    if (keys.length > 0) await client.del(...keys.map((k) => k.slice(prefix.length)));
    client.disconnect();
  });

  it('takes every step when all fit, in one script', async () => {
    const batch = await runner.run([step('a', 10, 3), step('b', 10, 4)]);
    expect(batch).toEqual({
      decided: true,
      replies: [
        [1, 3],
        [1, 4],
      ],
    });
  });

  it('on a refusal takes nothing after it, and before it only what a refused call keeps', async () => {
    await client.set('c', 9);
    const batch = await runner.run([step('a', 10, 1, true), step('b', 10, 1), step('c', 10, 5)]);
    // a keeps its cost, b fits but takes nothing, c refuses.
    expect(batch).toEqual({
      decided: true,
      replies: [
        [1, 4],
        [1, 4],
        [0, 9],
      ],
    });
    // A step after the refusal is not even checked.
    const short = await runner.run([step('c', 10, 5), step('a', 10, 1)]);
    expect(short).toEqual({ decided: true, replies: [[0, 9]] });
    expect(await client.mget('a', 'b', 'c')).toEqual(['4', '4', '9']);
  });

  it('answers undecided, taking nothing, when a step needs its counters rebuilt', async () => {
    const batch = await runner.run([step('a', 10, 1), step('missing', 10, 1)]);
    expect(batch).toEqual({ decided: false, step: 1, reply: [-1, 0] });
    expect(await client.get('a')).toBe('4');
  });

  it('loads a script Redis lost (NOSCRIPT) and still answers', async () => {
    await client.script('FLUSH');
    expect(await runner.run([step('b', 10, 1)])).toEqual({ decided: true, replies: [[1, 5]] });
  });

  it('sends queued writes in front of the next batch, or on their own', async () => {
    await client.set('w', 0);
    // Loaded (a write Redis lost the script of is sent again after the batch, not in front).
    await runner.queue(INCR, ['w'], [0]);
    const written = runner.queue(INCR, ['w'], [2]);
    // The batch reads the write it carries: the write went first, in the same pipeline.
    const batch = await runner.run([step('w', 10, 1)]);
    await written;
    expect(batch).toEqual({ decided: true, replies: [[1, 3]] });
    await client.script('FLUSH');
    await runner.queue(INCR, ['w'], [5]);
    expect(await client.get('w')).toBe('8');
  });
});
