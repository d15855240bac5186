import { Injectable } from '@nestjs/common';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { MeteringSync } from '../../governance/metering/metering-sync.service.js';
import { PriceBook } from '../../governance/metering/pricing/price-book.service.js';
import type {
  EffectivePrice,
  PriceEntry,
  PriceSource,
} from '../../governance/metering/pricing/price.types.js';
import { PricingRepository } from '../../storage/pricing.repository.js';
import { type AdminActor, AdminEvents } from '../admin-events.service.js';

/**
 * Price administration shared by the admin API and the CLI (contract 11.1): stored entries
 * override configuration, `config/pricing.yml` and the bundled catalogue, and apply on every
 * replica within a second (the metering version, and Redis pub/sub when configured).
 */
@Injectable()
export class PricingAdminService {
  constructor(
    private readonly prices: PriceBook,
    private readonly repository: PricingRepository,
    private readonly sync: MeteringSync,
    private readonly events: AdminEvents,
  ) {}

  /** Every entry of the admin, configuration and file layers, most authoritative first. */
  list(): { source: PriceSource; entry: PriceEntry }[] {
    return this.prices.entries();
  }

  /** The price a call to `model` on `provider` pays, and where it comes from. */
  lookup(provider: string, model: string): EffectivePrice {
    return this.prices.priceFor(provider, model);
  }

  async upsert(entry: PriceEntry, actor: AdminActor): Promise<EffectivePrice> {
    await this.repository.upsert(entry);
    await this.sync.changed();
    this.events.record(
      { action: 'pricing.upserted', provider: entry.provider, model: entry.model },
      actor,
    );
    return this.prices.priceFor(entry.provider, entry.model);
  }

  /** @throws GatewayError `resource_not_found` when no such entry is stored */
  async delete(provider: string, model: string, actor: AdminActor): Promise<void> {
    if (!(await this.repository.delete(provider, model))) {
      throw new GatewayError(
        ErrorCode.ResourceNotFound,
        `No stored price for provider '${provider}' and model '${model}'.`,
        { param: 'model' },
      );
    }
    await this.sync.changed();
    this.events.record({ action: 'pricing.deleted', provider, model }, actor);
  }
}
