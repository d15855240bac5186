import { format } from 'node:util';
import type { Metric, Registry } from 'prom-client';

/** One labelled series of a {@link SeriesHistogram}: its bucket counts, sum and count, in place. */
export class HistogramSeries<L extends string> {
  /** Observations per bucket (not cumulative); the last slot is past every bound (`+Inf` only). */
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(
    private readonly owner: SeriesHistogram<L>,
    readonly labels: Readonly<Record<L, string>>,
  ) {
    this.counts = new Array<number>(owner.upperBounds.length + 1).fill(0);
  }

  /**
   * Counts `value` as prom-client's `Histogram.observe` does: refused unless finite, into the first
   * bucket whose bound it does not exceed, added to the sum in call order (the same float).
   */
  observe(value: number): void {
    if (!Number.isFinite(value)) {
      throw new TypeError(`Value is not a valid number: ${format(value)}`);
    }
    const bounds = this.owner.upperBounds;
    let bucket = 0;
    while (bucket < bounds.length && value > bounds[bucket]) bucket++;
    this.counts[bucket] += 1;
    this.sum += value;
    if (this.count++ === 0) this.owner.observed(this);
  }
}

interface HistogramConfiguration<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  /** Upper bounds in seconds, ascending (prom-client's `buckets`). */
  readonly buckets: readonly number[];
}

type LabelValues = Readonly<Record<string, string | number>>;

/** A value as prom-client's registry reads one (its own histogram's shape). */
interface ExportedValue {
  readonly metricName: string;
  readonly value: number;
  readonly labels: LabelValues;
  readonly sharedLabels?: LabelValues;
  /** Buckets carry prom-client's empty exemplar (exemplars are not enabled). */
  readonly exemplar?: null;
}

/** A metric as prom-client's registry reads one. */
interface Exported {
  readonly name: string;
  readonly help: string;
  readonly type: 'histogram';
  readonly values: ExportedValue[];
  readonly aggregator: 'sum';
}

/**
 * A Prometheus histogram whose series are counted in place: a caller holds a
 * {@link HistogramSeries} per label set and observes into arrays of numbers, with no label
 * hashing and no label object per call (prom-client's `Histogram.observe` hashes the labels and
 * builds two objects on every call: 4-6 µs of the governed lane's request in its profile). It is
 * registered in the gateway's prom-client registry as a metric of its own and read by the registry
 * like prom-client's histogram: the same values, labels and order (series in the order they were
 * first observed, `le` before the series' labels), so a scrape prints what prom-client's
 * `Histogram` would have printed had every call gone through `observe`, and cluster mode sums it
 * like any histogram. Only series made here are reported.
 */
export class SeriesHistogram<L extends string> {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  readonly upperBounds: readonly number[];
  private series: HistogramSeries<L>[] = [];

  constructor(config: HistogramConfiguration<L>, registry: Registry) {
    this.name = config.name;
    this.help = config.help;
    this.labelNames = config.labelNames;
    this.upperBounds = config.buckets;
    // The registry reads a metric through `get` or `getForPromString` and nothing else.
    registry.registerMetric(this as unknown as Metric);
  }

  /** The series of `labels` (an object the histogram keeps and reports as is: never changed). */
  at(labels: Readonly<Record<L, string>>): HistogramSeries<L> {
    return new HistogramSeries(this, labels);
  }

  /** @internal A series observed for the first time: reported from now on, in this order. */
  observed(series: HistogramSeries<L>): void {
    this.series.push(series);
  }

  /** `registry.resetMetrics()`: every series starts again from nothing. */
  reset(): void {
    for (const series of this.series) {
      series.counts.fill(0);
      series.sum = 0;
      series.count = 0;
    }
    this.series = [];
  }

  /** For the text exposition: each value's own label (`le`), the series' labels shared. */
  getForPromString(): Promise<Exported> {
    return Promise.resolve(this.export(true));
  }

  /** As JSON (`getMetricsAsJSON`, cluster mode): each value's labels whole, `le` first. */
  get(): Promise<Exported> {
    return Promise.resolve(this.export(false));
  }

  private export(shared: boolean): Exported {
    const values: ExportedValue[] = [];
    const bucket = `${this.name}_bucket`;
    const push = (metricName: string, value: number, own: LabelValues, of: LabelValues) => {
      const labels = shared ? own : { ...own, ...of };
      const sharedLabels = shared ? of : undefined;
      values.push(
        metricName === bucket
          ? { metricName, value, labels, sharedLabels, exemplar: null }
          : { metricName, value, labels, sharedLabels },
      );
    };
    for (const series of this.series) {
      let cumulative = 0;
      for (let i = 0; i < this.upperBounds.length; i++) {
        cumulative += series.counts[i];
        push(bucket, cumulative, { le: this.upperBounds[i] }, series.labels);
      }
      push(bucket, series.count, { le: '+Inf' }, series.labels);
      push(`${this.name}_sum`, series.sum, {}, series.labels);
      push(`${this.name}_count`, series.count, {}, series.labels);
    }
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      values,
      aggregator: this.aggregator,
    };
  }
}
