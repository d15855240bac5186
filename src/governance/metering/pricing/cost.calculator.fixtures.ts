import type { Price } from './price.types.js';

/** A long-context price as the catalogue ships one (a Gemini 2.5 Pro entry, late 2026). */
export function catalogueTierSample(): Price {
  return {
    input: { base: 1.25, tiers: [{ start: 200_000, price: 2.5 }] },
    cachedInput: { base: 0.125, tiers: [{ start: 200_000, price: 0.25 }] },
    output: { base: 10, tiers: [{ start: 200_000, price: 15 }] },
  };
}
