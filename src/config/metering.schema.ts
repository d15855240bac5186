import { z } from 'zod';
import { bool, num, str } from './schema-fields.js';

/** The highest price accepted, USD per million tokens: far above any model's, below nonsense. */
export const MAX_PRICE_PER_MTOK = 10_000;
/** The highest budget limit accepted, USD: counters are integer nano-USD, exact up to 2^53. */
export const MAX_BUDGET_USD = 5_000_000;

const price = () => num(z.number().min(0).max(MAX_PRICE_PER_MTOK));

/**
 * One price entry (contract 11.1), USD per million tokens, in `gateway.pricing[]` and in
 * `config/pricing.yml`: `model` is a glob (`gpt-4o*`) over the model as the provider receives it.
 */
export const pricingEntrySchema = z.strictObject({
  provider: str().pipe(
    z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { message: 'must be a provider id' }),
  ),
  model: str().pipe(z.string().min(1).max(256)),
  input: price(),
  output: price(),
  'cached-input': price().optional(),
  'cache-write': price().optional(),
});

/** A budget defined in configuration (a platform ceiling; contract 11.3). */
export const budgetEntrySchema = z.strictObject({
  id: str().pipe(
    z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, { message: 'must be a budget id' }),
  ),
  tenant: str().pipe(
    z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { message: 'must be a tenant id' }),
  ),
  'key-id': str().optional(),
  period: z.enum(['day', 'week', 'month']),
  'limit-usd': num(z.number().min(0).max(MAX_BUDGET_USD)),
  'soft-limit-pct': num(z.number().min(0).max(100)).default(80),
  enabled: bool().default(true),
});
