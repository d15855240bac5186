import type {
  EffectivePrice,
  PriceEntry,
  PriceRate,
  PriceSource,
} from '../../governance/metering/pricing/price.types.js';

/** A rate as shown: a number, or `{base, tiers}` for long-context pricing. */
type RateView = number | { base: number; tiers: { start: number; price: number }[] };

function rate(value: PriceRate | undefined): RateView | null {
  if (value === undefined) return null;
  return typeof value === 'number'
    ? value
    : { base: value.base, tiers: value.tiers.map((t) => ({ start: t.start, price: t.price })) };
}

export function toPriceEntryView(source: PriceSource, entry: PriceEntry) {
  return {
    provider: entry.provider,
    model: entry.model,
    source,
    input: rate(entry.price.input),
    output: rate(entry.price.output),
    cached_input: rate(entry.price.cachedInput),
    cache_write: rate(entry.price.cacheWrite),
  };
}

/** The effective price of one model: `priced: false` when nothing prices it. */
export function toEffectivePriceView(found: EffectivePrice) {
  return {
    object: 'price',
    provider: found.provider,
    model: found.model,
    priced: found.price !== undefined,
    source: found.source ?? null,
    matched: found.matched ?? null,
    unit: 'usd_per_million_tokens',
    input: rate(found.price?.input),
    output: rate(found.price?.output),
    cached_input: rate(found.price?.cachedInput),
    cache_write: rate(found.price?.cacheWrite),
  };
}
