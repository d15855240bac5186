import { Inject, Injectable } from '@nestjs/common';
import type { PriceEntry } from '../governance/metering/pricing/price.types.js';
import { DATABASE, type GatewayDatabase } from './database.types.js';
import { bumpMeteringVersion } from './metering-version.js';
import { PricingRepository, type StoredPrice } from './pricing.repository.js';

/** {@link PricingRepository} on the gateway's database. Tiered rates are not stored: flat only. */
@Injectable()
export class KyselyPricingRepository extends PricingRepository {
  constructor(@Inject(DATABASE) private readonly db: GatewayDatabase) {
    super();
  }

  async list(): Promise<StoredPrice[]> {
    const rows = await this.db.selectFrom('pricing').selectAll().execute();
    return rows
      .map((row) => ({
        provider: row.provider,
        model: row.model,
        price: {
          input: row.input,
          output: row.output,
          ...(row.cached_input === null ? {} : { cachedInput: row.cached_input }),
          ...(row.cache_write === null ? {} : { cacheWrite: row.cache_write }),
        },
        updatedAt: new Date(row.updated_at),
      }))
      .sort((a, b) => compare(a.provider, b.provider) || compare(a.model, b.model));
  }

  async upsert(entry: PriceEntry): Promise<StoredPrice> {
    const flat = (rate: unknown) => (typeof rate === 'number' ? rate : null);
    const row = {
      provider: entry.provider,
      model: entry.model,
      input: flat(entry.price.input) ?? 0,
      output: flat(entry.price.output) ?? 0,
      cached_input: flat(entry.price.cachedInput),
      cache_write: flat(entry.price.cacheWrite),
      updated_at: Date.now(),
    };
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('pricing')
        .values(row)
        .onConflict((oc) =>
          oc.columns(['provider', 'model']).doUpdateSet({
            input: row.input,
            output: row.output,
            cached_input: row.cached_input,
            cache_write: row.cache_write,
            updated_at: row.updated_at,
          }),
        )
        .execute();
      await bumpMeteringVersion(trx);
    });
    return { ...entry, updatedAt: new Date(row.updated_at) };
  }

  delete(provider: string, model: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const result = await trx
        .deleteFrom('pricing')
        .where('provider', '=', provider)
        .where('model', '=', model)
        .executeTakeFirst();
      if (result.numDeletedRows === 0n) return false;
      await bumpMeteringVersion(trx);
      return true;
    });
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
