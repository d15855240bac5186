/** One settled call, as the usage records keep it (contract 11.2). */
export interface UsageRecord {
  /** Epoch milliseconds of settlement. */
  readonly at: number;
  readonly traceId: string;
  readonly tenantId: string;
  readonly keyId: string | null;
  readonly provider: string;
  readonly model: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cachedInputTokens: number;
  readonly cacheWriteTokens: number;
  readonly reasoningTokens: number;
  /** Integer nano-USD. */
  readonly costNano: number;
  readonly estimated: boolean;
  readonly priced: boolean;
  readonly status: number;
  /** `name=value` cost tags. */
  readonly tags: readonly string[];
}

/** What a spend report can group by (contract 11.2). */
export const SPEND_GROUPS = ['tenant', 'key', 'model', 'provider', 'tag', 'day'] as const;
export type SpendGroup = (typeof SPEND_GROUPS)[number];

export interface SpendQuery {
  /** Epoch milliseconds, inclusive. */
  readonly from: number;
  /** Epoch milliseconds, exclusive. */
  readonly to: number;
  readonly tenantId?: string;
  readonly keyId?: string;
  readonly groupBy: readonly SpendGroup[];
}

/** Sums over a set of calls. */
export interface SpendSums {
  requests: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  costNano: number;
  estimatedRequests: number;
  unpricedRequests: number;
}

/** One row of a report: its group keys (`day` as YYYY-MM-DD, `key` '' for keyless calls). */
export interface SpendRow extends SpendSums {
  readonly keys: Readonly<Partial<Record<SpendGroup, string>>>;
}

export interface SpendReport {
  readonly rows: SpendRow[];
  /** Every call once, whatever its tags. */
  readonly total: SpendSums;
}

/**
 * Usage records (contract 11.2): written in batches, summed for spend reports and for rebuilding
 * budget counters.
 */
export abstract class UsageRepository {
  /** Writes a batch in one transaction: the records, their tags, the hourly and daily sums. */
  abstract insert(records: readonly UsageRecord[]): Promise<void>;
  /** Nano-USD spent by a tenant (or one of its keys) in [from, to), both on whole UTC days. */
  abstract spentNano(
    scope: { tenantId: string; keyId: string | null },
    from: number,
    to: number,
  ): Promise<number>;
  abstract report(query: SpendQuery): Promise<SpendReport>;
}
