import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../../config/gateway-config.types.js';
import { cataloguePrice } from '../../../providers/price-catalogue.js';
import { globToRegExp } from '../../../routing/route-table.js';
import { PricingRepository } from '../../../storage/pricing.repository.js';
import type { EffectivePrice, Price, PriceEntry, PriceSource } from './price.types.js';

/** Resolved prices kept at most this long: the catalogue's prices are dated. */
const MEMO_TTL_MS = 3_600_000;
/** Resolved prices kept at most this many: model names come from callers. */
const MEMO_LIMIT = 10_000;

interface CompiledEntry extends PriceEntry {
  readonly matches: (model: string) => boolean;
  /** Exact names win over globs, then the longer glob. */
  readonly rank: number;
}

/**
 * The effective price of every provider's model (contract 11.1), from four layers, the first that
 * has an entry winning: prices stored through the admin API, `gateway.pricing[]`,
 * `config/pricing.yml`, then the catalogue bundled with `@pydantic/genai-prices`. Within a layer
 * an exact model name beats a glob, and a longer glob a shorter one. Resolutions are memoized,
 * so a call pays a map lookup; the memo is dropped when stored prices change (every replica
 * reloads them, see MeteringSync) and hourly, for the catalogue's dated price changes.
 */
@Injectable()
export class PriceBook {
  private readonly config: readonly CompiledEntry[];
  private readonly file: readonly CompiledEntry[];
  private stored: readonly CompiledEntry[] = [];
  private memo = new Map<string, EffectivePrice>();
  private memoSince = Date.now();

  constructor(
    @Inject(GATEWAY_CONFIG) gateway: GatewayConfig,
    private readonly repository: PricingRepository,
  ) {
    this.config = compile(gateway.pricing.map(fromConfig));
    this.file = compile(gateway.pricingFile.map(fromConfig));
  }

  /** Re-reads the stored prices (at start-up and when the metering version moves). */
  async reload(): Promise<void> {
    this.stored = compile(await this.repository.list());
    this.forget();
  }

  /** The price in force for `model` as `provider` receives it. */
  priceFor(provider: string, model: string, now = Date.now()): EffectivePrice {
    if (now - this.memoSince > MEMO_TTL_MS || this.memo.size >= MEMO_LIMIT) this.forget(now);
    const id = `${provider}\u0000${model}`;
    let found = this.memo.get(id);
    if (found === undefined) {
      found = this.resolve(provider, model, new Date(now));
      this.memo.set(id, found);
    }
    return found;
  }

  /** Every configured and stored entry, by layer (for GET /v1/admin/pricing). */
  entries(): { source: PriceSource; entry: PriceEntry }[] {
    const layer = (source: PriceSource, entries: readonly CompiledEntry[]) =>
      entries.map(({ provider, model, price }) => ({ source, entry: { provider, model, price } }));
    return [
      ...layer('admin', this.stored),
      ...layer('config', this.config),
      ...layer('pricing-file', this.file),
    ];
  }

  private resolve(provider: string, model: string, at: Date): EffectivePrice {
    const layers: [PriceSource, readonly CompiledEntry[]][] = [
      ['admin', this.stored],
      ['config', this.config],
      ['pricing-file', this.file],
    ];
    for (const [source, entries] of layers) {
      const entry = best(entries, provider, model);
      if (entry !== undefined) {
        return { provider, model, price: entry.price, source, matched: entry.model };
      }
    }
    const catalogued = cataloguePrice(provider, model, at);
    if (catalogued !== undefined) {
      return {
        provider,
        model,
        price: catalogued.price,
        source: 'catalogue',
        matched: catalogued.model,
      };
    }
    return { provider, model };
  }

  private forget(now = Date.now()): void {
    this.memo = new Map();
    this.memoSince = now;
  }
}

function best(
  entries: readonly CompiledEntry[],
  provider: string,
  model: string,
): CompiledEntry | undefined {
  let found: CompiledEntry | undefined;
  for (const entry of entries) {
    if (entry.provider !== provider || !entry.matches(model)) continue;
    if (found === undefined || entry.rank > found.rank) found = entry;
  }
  return found;
}

function compile(entries: readonly PriceEntry[]): CompiledEntry[] {
  return entries.map((entry) => {
    const glob = /[*?]/.test(entry.model);
    const regex = globToRegExp(entry.model);
    return {
      provider: entry.provider,
      model: entry.model,
      price: entry.price,
      matches: (model: string) => regex.test(model),
      rank: glob ? entry.model.replace(/[*?]/g, '').length : Number.MAX_SAFE_INTEGER,
    };
  });
}

function fromConfig(entry: GatewayConfig['pricing'][number]): PriceEntry {
  const price: Price = {
    input: entry.input,
    output: entry.output,
    ...(entry.cachedInput === undefined ? {} : { cachedInput: entry.cachedInput }),
    ...(entry.cacheWrite === undefined ? {} : { cacheWrite: entry.cacheWrite }),
  };
  return { provider: entry.provider, model: entry.model, price };
}
