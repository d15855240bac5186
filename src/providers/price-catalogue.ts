import type * as GenaiPrices from '@pydantic/genai-prices';
import { createRequire } from 'node:module';
import type { Price, PriceRate } from '../governance/metering/pricing/price.types.js';

let catalogue: typeof GenaiPrices | undefined;

/**
 * The catalogue package, loaded on the first lookup rather than at start-up: its bundled data
 * (1.6 MB of source, sorted with a locale collation when it loads) is about 6 MB of idle RSS, and
 * a gateway whose calls are all priced by configuration, or that prices nothing, never needs it
 * (issue 14: load what is activated). The first call priced from the catalogue pays the load
 * once; prices are memoized per model after that (`PriceBook`). Its CommonJS build, so that the
 * load stays synchronous, as the lookup is.
 */
function loadCatalogue(): typeof GenaiPrices {
  catalogue ??= createRequire(import.meta.url)('@pydantic/genai-prices') as typeof GenaiPrices;
  return catalogue;
}

/**
 * Our provider ids -> `@pydantic/genai-prices` provider ids: the one place the catalogue's
 * vocabulary meets ours. It lives here because it is vendor knowledge (house style: vendor names
 * only under providers/), and in one table rather than in each vendor's definition because it is a
 * property of one external catalogue, reviewed in one sitting whenever the package is upgraded.
 * A provider missing here (ollama, custom ones, the mock) is priced only by configuration or the
 * admin API; qwen and chatglm have no entry in the catalogue today.
 */
export const PRICE_CATALOGUE_PROVIDER_IDS: Readonly<Record<string, string>> = {
  openai: 'openai',
  'azure-openai': 'azure',
  anthropic: 'anthropic',
  gemini: 'google',
  bedrock: 'aws',
  mistral: 'mistral',
  cohere: 'cohere',
  groq: 'groq',
  deepseek: 'deepseek',
  moonshot: 'moonshotai',
  grok: 'x-ai',
};

/** A catalogue price, and the catalogue's id of the model it matched. */
export interface CataloguePrice {
  readonly price: Price;
  readonly model: string;
}

/**
 * The catalogue's price for a provider's model at `at` (its prices are dated), from the data
 * bundled in the package: no network, ever (the package fetches only when asked to).
 * Undefined when the provider or model is not in the catalogue, or has no token prices.
 */
export function cataloguePrice(
  provider: string,
  model: string,
  at: Date = new Date(),
): CataloguePrice | undefined {
  const providerId = PRICE_CATALOGUE_PROVIDER_IDS[provider];
  if (providerId === undefined) return undefined;
  const found = loadCatalogue().calcPrice({}, model, { providerId, timestamp: at });
  if (found === null) return undefined;
  const rates = found.model_price;
  const input = rateOf(rates.input_mtok);
  const output = rateOf(rates.output_mtok);
  if (input === undefined || output === undefined) return undefined;
  return {
    model: found.model.id,
    price: {
      input,
      output,
      cachedInput: rateOf(rates.cache_read_mtok),
      cacheWrite: rateOf(rates.cache_write_mtok),
    },
  };
}

function rateOf(value: unknown): PriceRate | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'object' || value === null) return undefined;
  const { base, tiers } = value as { base?: unknown; tiers?: unknown };
  if (typeof base !== 'number' || !Array.isArray(tiers)) return undefined;
  return {
    base,
    tiers: (tiers as { start: number; price: number }[]).map((t) => ({
      start: t.start,
      price: t.price,
    })),
  };
}
