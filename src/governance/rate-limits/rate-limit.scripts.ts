/*
 * The Redis side of gcra.ts, line for line: each script runs atomically in Redis, so replicas
 * never interleave between a check and its reservation. Time is Redis' own (TIME), one clock for
 * every replica. A bucket is a hash {l: level, t: epoch ms of the last update} that expires once
 * it would have drained empty, so Redis holds only buckets in use.
 */

import { type LuaFragment, RedisScript } from '../../storage/redis-step.types.js';

const CLOCK = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/** Needs `now` and `window` (ms) in scope. */
const HELPERS = `
local EPSILON = 1e-6
local function level_at(key, limit)
  local state = redis.call('HMGET', key, 'l', 't')
  if not state[1] then return 0 end
  local elapsed = math.max(0, now - tonumber(state[2]))
  return math.max(0, tonumber(state[1]) - elapsed * limit / window)
end
local function drain_ms(level, limit)
  if level <= EPSILON then return 0 end
  return math.ceil(level * window / limit - EPSILON)
end
local function save(key, level, limit)
  if level <= EPSILON then
    redis.call('DEL', key)
  else
    redis.call('HSET', key, 'l', string.format('%.17g', level), 't', now)
    redis.call('PEXPIRE', key, drain_ms(level, limit) + 1000)
  end
end
`;

/**
 * Checks and reserves every bucket of a call, all or nothing, as one step of the call's batch
 * (storage/redis-step.types.ts). keys: the buckets. argv: window ms, then per bucket its limit,
 * its cost, and 1 when it is kept though a later step refuses the call (a request permit: it was
 * a request). Replies {fits 0|1, now ms, everything taken 0|1, then per bucket: remaining, wait
 * ms, reset ms}.
 */
export const ADMIT_FRAGMENT: LuaFragment = {
  name: 'rate-limits',
  lua: `${CLOCK}
local window = 0
${HELPERS}
local step = {}
function step.check(keys, argv)
  window = tonumber(argv[1])
  local levels, fits = {}, 1
  for i = 1, #keys do
    local limit = tonumber(argv[3 * i - 1])
    local cost = tonumber(argv[3 * i])
    levels[i] = level_at(keys[i], limit)
    if levels[i] + math.min(cost, limit) > limit + EPSILON then fits = 0 end
  end
  return fits, levels
end
function step.answer(keys, argv, levels, verdict, all)
  local out = {verdict, now, all}
  for i = 1, #keys do
    local limit = tonumber(argv[3 * i - 1])
    local cost = tonumber(argv[3 * i])
    local level = levels[i]
    local wait = 0
    if verdict == 1 and (all == 1 or argv[3 * i + 1] == '1') then
      level = level + cost
      save(keys[i], level, limit)
    elseif verdict ~= 1 then
      local excess = level + math.min(cost, limit) - limit
      if excess > EPSILON then wait = math.ceil(excess * window / limit - EPSILON) end
    end
    out[#out + 1] = math.max(0, math.floor(limit - level + EPSILON))
    out[#out + 1] = wait
    out[#out + 1] = drain_ms(level, limit)
  end
  return out
end
return step`,
};

/**
 * Settles reservations: adds each bucket's delta (real use minus reserved; negative gives back),
 * never below empty. KEYS: the buckets. ARGV: window ms, then per bucket its limit and delta.
 */
export const ADJUST_SCRIPT = new RedisScript(`${CLOCK}
local window = tonumber(ARGV[1])
${HELPERS}
for i = 1, #KEYS do
  local limit = tonumber(ARGV[2 * i])
  local delta = tonumber(ARGV[2 * i + 1])
  save(KEYS[i], math.max(0, level_at(KEYS[i], limit) + delta), limit)
end
return 1
`);
