/*
 * GCRA (the generic cell rate algorithm, as in ATM networks and redis-cell), in its leaky-bucket
 * meter form: a bucket holds a level (requests or tokens in use) and the time it was last
 * updated; the level drains continuously at `limit` per window. A call of cost c fits when level +
 * c <= limit, so a full window admits exactly `limit` at once and then one more each
 * window/limit: no fixed-window edge (2x bursts), no per-call log to keep (O(1) state per
 * bucket), variable costs (tokens) and give-backs (a released reservation lowers the level).
 *
 * Pure functions of the level, the time and the limit, shared by the in-memory store and mirrored
 * line for line by the Redis script (rate-limit.scripts.ts), so either can be tested alone with an
 * injected clock.
 */

/** One bucket's state: its level at `updatedAt` (epoch ms). */
export interface BucketState {
  level: number;
  updatedAt: number;
}

/** Sub-unit rounding of the drain arithmetic never decides an admission. */
const EPSILON = 1e-6;

/** The level at `now`, drained since the last update (never below 0; a clock going back drains nothing). */
export function levelAt(
  state: BucketState | undefined,
  limit: number,
  windowMs: number,
  now: number,
): number {
  if (state === undefined) return 0;
  const elapsed = Math.max(0, now - state.updatedAt);
  // Multiply first: exact whenever elapsed * limit is a multiple of the window.
  return Math.max(0, state.level - (elapsed * limit) / windowMs);
}

/**
 * What a call must find free: its cost, or the whole limit for a call larger than the limit (it
 * is admitted when the bucket is empty, rather than never).
 */
export function needed(cost: number, limit: number): number {
  return Math.min(cost, limit);
}

/** Whether a call of `cost` fits a bucket at `level`. */
export function fits(level: number, cost: number, limit: number): boolean {
  return level + needed(cost, limit) <= limit + EPSILON;
}

/** Milliseconds until a call of `cost` fits (0 when it does now). */
export function waitMs(level: number, cost: number, limit: number, windowMs: number): number {
  const excess = level + needed(cost, limit) - limit;
  return excess <= EPSILON ? 0 : Math.ceil((excess * windowMs) / limit - EPSILON);
}

/** Milliseconds until the bucket is empty again (the window fully reset). */
export function drainMs(level: number, limit: number, windowMs: number): number {
  return level <= EPSILON ? 0 : Math.ceil((level * windowMs) / limit - EPSILON);
}

/** Whole units left under the limit. */
export function remaining(level: number, limit: number): number {
  return Math.max(0, Math.floor(limit - level + EPSILON));
}
