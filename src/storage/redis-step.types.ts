import { createHash } from 'node:crypto';

/** A Lua script sent by its SHA (and loaded on a NOSCRIPT answer, after a Redis restart). */
export class RedisScript {
  readonly sha: string;

  constructor(readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }
}

/**
 * One decision's share of a Lua script that several decisions make together, atomically. `lua` is
 * a chunk that returns a table of two functions:
 *
 * - `check(keys, argv)` returns a verdict, 1 (fits), 0 (refused) or -1 (cannot decide: its
 *   counters must be rebuilt first), and any state `answer` needs; it writes nothing;
 * - `answer(keys, argv, state, verdict, all)` returns this step's reply (a flat array of integers
 *   and arrays) and takes what the step takes: with verdict 1 and `all` 1 (every step fits) all of
 *   it, with verdict 1 and `all` 0 (a later step refused) what a refused call keeps, with verdict 0
 *   or -1 nothing.
 *
 * Steps are checked in order and stop at the first that does not fit, so a later step is not even
 * read when an earlier one refuses.
 */
export interface LuaFragment {
  /** Names the fragment in the composed script's cache. */
  readonly name: string;
  readonly lua: string;
}

/** A fragment with the keys and arguments of one call. */
export interface RedisStep {
  readonly fragment: LuaFragment;
  readonly keys: readonly string[];
  readonly args: readonly (string | number)[];
}

/** What Redis answered to a batch of steps. */
export type BatchReply =
  | {
      readonly decided: true;
      /** One per step checked, in order; a step after the first refusal has none. */
      readonly replies: readonly (readonly unknown[])[];
    }
  | {
      readonly decided: false;
      /** The step whose counters must be rebuilt; nothing was taken anywhere. */
      readonly step: number;
      readonly reply: readonly unknown[];
    };
