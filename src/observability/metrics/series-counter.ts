import { format } from 'node:util';
import { Counter, type CounterConfiguration, type Registry } from 'prom-client';

/** One labelled series of a {@link SeriesCounter}: its total, kept in place. */
export class CounterSeries<L extends string> {
  /** Undefined until counted once: a series never counted is not reported. */
  total: number | undefined = undefined;

  constructor(
    private readonly owner: SeriesCounter<L>,
    readonly labels: Readonly<Record<L, string>>,
  ) {}

  /**
   * Adds `value` (1 when omitted), checked as prom-client's `Counter.inc` checks it and added in
   * the same order, so the total is the very number prom-client would hold.
   */
  inc(value?: number): void {
    // prom-client's checks, in its order (`NaN` passes them, as it does there).
    if (value && !Number.isFinite(value)) {
      throw new TypeError(`Value is not a valid number: ${format(value)}`);
    }
    if (value !== undefined && value < 0)
      throw new Error('It is not possible to decrease a counter');
    const by = value ?? 1;
    if (this.total === undefined) {
      this.total = by;
      this.owner.counted(this);
    } else this.total += by;
  }
}

/**
 * A prom-client `Counter` whose hot series are counted in place: a caller holds a
 * {@link CounterSeries} per label set and adds to a number, with no label hashing and no label
 * object per call (prom-client hashes the labels of every `inc`). The counter is rebuilt from the
 * totals whenever the registry reads it (a scrape, a cluster worker's report), in the order the
 * series were first counted, so the exposition is what prom-client would have printed had every
 * call gone through `inc`. Only series made here are reported: nothing else may `inc` the counter.
 */
export class SeriesCounter<L extends string> {
  private readonly series: CounterSeries<L>[] = [];
  private readonly counter: Counter<L>;

  constructor(config: Omit<CounterConfiguration<L>, 'collect' | 'registers'>, registry: Registry) {
    this.counter = new Counter<L>({
      ...config,
      registers: [registry],
      collect: () => this.publish(),
    });
  }

  /** The series of `labels` (an object the counter keeps and reports as is: never changed). */
  at(labels: Readonly<Record<L, string>>): CounterSeries<L> {
    return new CounterSeries(this, labels);
  }

  /** @internal A series counted for the first time: reported from now on, in this order. */
  counted(series: CounterSeries<L>): void {
    this.series.push(series);
  }

  private publish(): void {
    this.counter.reset();
    for (const series of this.series) this.counter.inc(series.labels, series.total);
  }
}
