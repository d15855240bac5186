import type { Price, PriceRate, TokenCounts } from './price.types.js';

/** USD per million tokens -> nano-USD per token. */
const NANO_PER_MTOK = 1_000;

/** Nano-USD (the unit money is counted in: integers, exact sums) to USD. */
export function nanoToUsd(nano: number): number {
  return nano / 1e9;
}

/**
 * Nano-USD as a decimal USD string, exactly (integer arithmetic, no float rounding), without
 * trailing zeros: `420000` -> `0.00042`, `2_500_000_000` -> `2.5`, `0` -> `0`.
 */
export function formatUsd(nano: number): string {
  const sign = nano < 0 ? '-' : '';
  const abs = Math.abs(Math.round(nano));
  const whole = Math.floor(abs / 1e9);
  const fraction = String(abs % 1e9)
    .padStart(9, '0')
    .replace(/0+$/, '');
  return `${sign}${whole}${fraction === '' ? '' : `.${fraction}`}`;
}

/** USD to nano-USD, rounded to the nearest unit. */
export function usdToNano(usd: number): number {
  return Math.round(usd * 1e9);
}

/** The rate of `rate` for a call whose prompt has `promptTokens` tokens. */
export function rateFor(rate: PriceRate, promptTokens: number): number {
  if (typeof rate === 'number') return rate;
  let price = rate.base;
  for (const tier of rate.tiers) if (promptTokens > tier.start) price = tier.price;
  return price;
}

/**
 * The cost of a call in nano-USD (contract 11.1): uncached prompt tokens at the input rate,
 * cached ones at the cached rate, cache writes at the cache-write rate, output (reasoning
 * included) at the output rate. Prompt tokens count cached and cache-written ones (the adapters
 * normalise every vendor to OpenAI's `prompt_tokens`), so both are taken out of the input-rated
 * part: a written token is not charged twice. Counts are clamped into sense (no negatives, no
 * more cached than prompt tokens), so a vendor's odd usage block cannot make a cost negative.
 */
export function costNano(tokens: TokenCounts, price: Price): number {
  const input = Math.max(0, tokens.inputTokens);
  const cached = Math.min(input, Math.max(0, tokens.cachedInputTokens ?? 0));
  const written = Math.min(input - cached, Math.max(0, tokens.cacheWriteTokens ?? 0));
  const output = Math.max(0, tokens.outputTokens);
  const inputRate = rateFor(price.input, input);
  const cost =
    (input - cached - written) * inputRate +
    cached * rateFor(price.cachedInput ?? price.input, input) +
    written * rateFor(price.cacheWrite ?? price.input, input) +
    output * rateFor(price.output, input);
  return Math.round(cost * NANO_PER_MTOK);
}

/** A rate is usable: finite and not negative (tiers included). */
export function isValidRate(rate: PriceRate): boolean {
  const ok = (n: number) => Number.isFinite(n) && n >= 0;
  if (typeof rate === 'number') return ok(rate);
  return ok(rate.base) && rate.tiers.every((t) => ok(t.price) && ok(t.start));
}
