import type { ActivityBucket } from '../dto/activity.query.js';

const BUCKET_MS: Record<ActivityBucket, number> = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
};

/** The most buckets one answer holds: a chart's width, not a data export. */
export const MAX_BUCKETS = 1_500;

export interface ActivitySums {
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
}

export interface ActivityPoint extends ActivitySums {
  /** ISO-8601 start of the bucket (UTC). */
  readonly start: string;
}

export interface ActivityRanking extends ActivitySums {
  readonly name: string;
}

/** One finished call as its `GATEWAY_RESPONSE` audit event tells it. */
export interface ActivityCall {
  readonly at: number;
  readonly tenant: string | null;
  readonly keyId: string | null;
  readonly model: string | null;
  readonly status: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
}

export function bucketMs(bucket: ActivityBucket): number {
  return BUCKET_MS[bucket];
}

/** The start of the bucket holding `at` (UTC). */
export function bucketStart(at: number, bucket: ActivityBucket): number {
  const size = BUCKET_MS[bucket];
  return Math.floor(at / size) * size;
}

function zero(): ActivitySums {
  return { requests: 0, errors: 0, input_tokens: 0, output_tokens: 0, cost_usd: 0 };
}

function add(sums: ActivitySums, call: ActivityCall): void {
  sums.requests += 1;
  if (call.status >= 400) sums.errors += 1;
  sums.input_tokens += call.inputTokens;
  sums.output_tokens += call.outputTokens;
  sums.cost_usd += call.costUsd;
}

/** Rounds money once, at the end, so sums of many small costs keep their precision. */
function rounded<T extends ActivitySums>(sums: T): T {
  return { ...sums, cost_usd: Math.round(sums.cost_usd * 1e6) / 1e6 };
}

/**
 * Sums calls into every bucket of [from, to) (empty buckets included, so a chart's time axis has
 * no holes) and ranks tenants, models and API keys by requests.
 */
export class ActivityAggregator {
  private readonly points = new Map<number, ActivitySums>();
  private readonly tenants = new Map<string, ActivitySums>();
  private readonly models = new Map<string, ActivitySums>();
  private readonly keys = new Map<string, ActivitySums>();
  private readonly total = zero();

  constructor(
    private readonly from: number,
    private readonly to: number,
    private readonly bucket: ActivityBucket,
  ) {
    for (let at = bucketStart(from, bucket); at < to; at += BUCKET_MS[bucket]) {
      this.points.set(at, zero());
    }
  }

  add(call: ActivityCall): void {
    if (call.at < this.from || call.at >= this.to) return;
    const point = this.points.get(bucketStart(call.at, this.bucket));
    if (point) add(point, call);
    add(this.total, call);
    if (call.tenant !== null) add(this.entry(this.tenants, call.tenant), call);
    if (call.model !== null) add(this.entry(this.models, call.model), call);
    if (call.keyId !== null) add(this.entry(this.keys, call.keyId), call);
  }

  result(top: number): {
    series: ActivityPoint[];
    total: ActivitySums;
    top_tenants: ActivityRanking[];
    top_models: ActivityRanking[];
    top_keys: ActivityRanking[];
  } {
    return {
      series: [...this.points].map(([at, sums]) => ({
        start: new Date(at).toISOString(),
        ...rounded(sums),
      })),
      total: rounded(this.total),
      top_tenants: ranking(this.tenants, top),
      top_models: ranking(this.models, top),
      top_keys: ranking(this.keys, top),
    };
  }

  private entry(map: Map<string, ActivitySums>, name: string): ActivitySums {
    let sums = map.get(name);
    if (!sums) {
      sums = zero();
      map.set(name, sums);
    }
    return sums;
  }
}

function ranking(map: Map<string, ActivitySums>, top: number): ActivityRanking[] {
  return [...map]
    .map(([name, sums]) => ({ name, ...rounded(sums) }))
    .sort(
      (a, b) => b.requests - a.requests || b.cost_usd - a.cost_usd || a.name.localeCompare(b.name),
    )
    .slice(0, top);
}
