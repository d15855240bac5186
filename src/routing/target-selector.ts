import type { CompiledRoute } from './route-table.js';

/** What the selector needs of a candidate: the weight its route target was given. */
export interface Weighted {
  readonly weight: number;
}

/**
 * Picks a route's primary among the targets able to serve a request (contract section 6):
 * - `prefix`: the first one, in the order listed;
 * - `round-robin`: the next one, rotating per route (a per-process counter);
 * - `weighted`: one at random, in proportion to the weights; should every candidate weigh 0,
 *   the first one (a request is not refused because of weights).
 */
export class TargetSelector {
  private readonly counters = new Map<number, number>();

  constructor(private readonly random: () => number = Math.random) {}

  pick<T extends Weighted>(route: CompiledRoute, candidates: readonly T[]): T | undefined {
    if (candidates.length === 0) return undefined;
    switch (route.strategy) {
      case 'prefix':
        return candidates[0];
      case 'round-robin': {
        const turn = this.counters.get(route.index) ?? 0;
        // Wrap well before the counter loses integer precision.
        this.counters.set(route.index, (turn + 1) % Number.MAX_SAFE_INTEGER);
        return candidates[turn % candidates.length];
      }
      case 'weighted':
        return this.weighted(candidates);
    }
  }

  private weighted<T extends Weighted>(candidates: readonly T[]): T {
    const total = candidates.reduce((sum, c) => sum + c.weight, 0);
    if (total <= 0) return candidates[0];
    let point = this.random() * total;
    for (const candidate of candidates) {
      if (candidate.weight <= 0) continue;
      point -= candidate.weight;
      if (point < 0) return candidate;
    }
    // Floating-point remainders land here: the last candidate that carries weight.
    return candidates.filter((c) => c.weight > 0).at(-1)!;
  }
}
