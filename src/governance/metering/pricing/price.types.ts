/** A rate in USD per million tokens: flat, or tiered by the call's prompt size. */
export type PriceRate = number | TieredRate;

/**
 * A tiered rate (long-context pricing): the rate of the highest tier whose `start` the call's
 * prompt tokens exceed applies to all of that kind's tokens, `base` below the first tier.
 */
export interface TieredRate {
  readonly base: number;
  readonly tiers: readonly { readonly start: number; readonly price: number }[];
}

/** What one model costs, USD per million tokens (contract 11.1). */
export interface Price {
  readonly input: PriceRate;
  readonly output: PriceRate;
  /** Cached prompt tokens; absent: the input rate. */
  readonly cachedInput?: PriceRate;
  /** Prompt tokens written to the cache; absent: the input rate. */
  readonly cacheWrite?: PriceRate;
}

/** Where an effective price came from, most authoritative first. */
export type PriceSource = 'admin' | 'config' | 'pricing-file' | 'catalogue';

/** One entry of a price layer: a provider, a model glob, a price. */
export interface PriceEntry {
  readonly provider: string;
  readonly model: string;
  readonly price: Price;
}

/** The price in force for a provider's model, and where it came from. */
export interface EffectivePrice {
  readonly provider: string;
  readonly model: string;
  /** Undefined: the model is unpriced (its calls cost 0, `priced: false`). */
  readonly price?: Price;
  readonly source?: PriceSource;
  /** The entry's model glob (admin, config, file), or the catalogue's model id. */
  readonly matched?: string;
}

/** Token counts a cost is computed from. */
export interface TokenCounts {
  /** Every prompt token, cached and cache-written ones included (OpenAI's `prompt_tokens`). */
  readonly inputTokens: number;
  /** Every output token, reasoning included. */
  readonly outputTokens: number;
  readonly cachedInputTokens?: number;
  readonly cacheWriteTokens?: number;
}
