import type { CounterSeries, SeriesCounter } from './series-counter.js';
import type { HistogramSeries, SeriesHistogram } from './series-histogram.js';
import { LabelBranches } from './label-branches.js';
import type { LabelLimiter } from './label-limiter.js';

export type RequestLabel = 'tenant' | 'provider' | 'model' | 'status' | 'code';
export type TokenLabel = 'tenant' | 'provider' | 'model' | 'direction';
export type CostLabel = 'tenant' | 'provider' | 'model';
export type TargetLabel = 'provider' | 'model';

/** The instruments a settled call updates. */
export interface CallInstruments {
  readonly requests: SeriesCounter<RequestLabel>;
  readonly tokens: SeriesCounter<TokenLabel>;
  readonly cost: SeriesCounter<CostLabel>;
  readonly duration: SeriesHistogram<TargetLabel>;
  readonly timeToFirstToken: SeriesHistogram<TargetLabel>;
}

/** A call's tenant under its target: its request series by status and code, and its metering. */
export class TenantSeries {
  private readonly statuses: LabelBranches<LabelBranches<CounterSeries<RequestLabel>>>;
  private metering?: {
    readonly input: CounterSeries<TokenLabel>;
    readonly output: CounterSeries<TokenLabel>;
    readonly cost: CounterSeries<CostLabel>;
  };

  constructor(
    private readonly owner: CallSeries,
    private readonly labels: Readonly<Record<CostLabel, string>>,
  ) {
    const { tenant, provider, model } = labels;
    this.statuses = new LabelBranches(owner.limiter, 'status', (status) => {
      return new LabelBranches(owner.limiter, 'code', (code) =>
        owner.instruments.requests.at({ tenant, provider, model, status, code }),
      );
    });
  }

  /** `gateway_requests_total` of this tenant and target with `status` and error `code`. */
  request(status: number, code: string): CounterSeries<RequestLabel> {
    return this.statuses.get(String(status)).get(code);
  }

  /** `gateway_tokens_total` (input, output) and `gateway_cost_usd_total` of this tenant and target. */
  metered(inputTokens: number, outputTokens: number, usd: number): void {
    const metering = (this.metering ??= this.owner.meteringOf(this.labels));
    metering.input.inc(inputTokens);
    metering.output.inc(outputTokens);
    metering.cost.inc(usd);
  }
}

/** A call's target (provider and model, bounded): its latency histograms and its tenants. */
export class TargetSeries {
  /** `gateway_request_duration_seconds` of this target. */
  readonly duration: HistogramSeries<TargetLabel>;
  /** `gateway_time_to_first_token_seconds` of this target. */
  readonly timeToFirstToken: HistogramSeries<TargetLabel>;
  private readonly tenants: LabelBranches<TenantSeries>;

  constructor(owner: CallSeries, provider: string, model: string) {
    const labels = { provider, model };
    this.duration = owner.instruments.duration.at(labels);
    this.timeToFirstToken = owner.instruments.timeToFirstToken.at(labels);
    this.tenants = new LabelBranches(
      owner.limiter,
      'tenant',
      (tenant) => new TenantSeries(owner, { tenant, provider, model }),
    );
  }

  tenant(tenant: string): TenantSeries {
    return this.tenants.get(tenant);
  }
}

/**
 * The series every settled call counts (`gateway_requests_total`, `gateway_tokens_total`,
 * `gateway_cost_usd_total`, and the latency histograms), as a tree by target,
 * tenant, status and code: a call finds its series with a few map look-ups of the values it
 * carries and adds to numbers in place. Label values are bounded by the limiter as they are first
 * met, label by label in the order the call observer has always bounded them, so what is kept and
 * what folds into `other` is unchanged. The tree grows with the series reported, never with
 * values past a cap.
 */
export class CallSeries {
  private readonly targets: LabelBranches<LabelBranches<TargetSeries>>;

  constructor(
    readonly limiter: LabelLimiter,
    readonly instruments: CallInstruments,
  ) {
    this.targets = new LabelBranches(
      limiter,
      'provider',
      (provider) =>
        new LabelBranches(limiter, 'model', (model) => new TargetSeries(this, provider, model)),
    );
  }

  /** The target `provider` and `model`, bounded (provider first, then model). */
  target(provider: string, model: string): TargetSeries {
    return this.targets.get(provider).get(model);
  }

  /** @internal The metering series of one tenant and target, input tokens first. */
  meteringOf(labels: Readonly<Record<CostLabel, string>>) {
    return {
      input: this.instruments.tokens.at({ ...labels, direction: 'input' }),
      output: this.instruments.tokens.at({ ...labels, direction: 'output' }),
      cost: this.instruments.cost.at(labels),
    };
  }
}
