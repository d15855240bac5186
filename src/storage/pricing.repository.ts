import type { PriceEntry } from '../governance/metering/pricing/price.types.js';

/** A stored price and when it was last written. */
export interface StoredPrice extends PriceEntry {
  readonly updatedAt: Date;
}

/**
 * Prices stored through the admin API (contract 11.1), by provider and model glob. Every write
 * advances the metering version, so every replica reloads them.
 */
export abstract class PricingRepository {
  abstract list(): Promise<StoredPrice[]>;
  /** Inserts or replaces the entry of `provider` and `model`. */
  abstract upsert(entry: PriceEntry): Promise<StoredPrice>;
  abstract delete(provider: string, model: string): Promise<boolean>;
}
