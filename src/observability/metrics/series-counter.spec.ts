import { Counter, Registry } from 'prom-client';
import { SeriesCounter } from './series-counter.js';

const CONFIG = { name: 'x_total', help: 'X.', labelNames: ['a', 'b'] as const };

/** The same increments through a SeriesCounter and a plain prom-client Counter. */
function pair() {
  const ours = new Registry();
  const theirs = new Registry();
  const counter = new SeriesCounter<'a' | 'b'>({ ...CONFIG, labelNames: ['a', 'b'] }, ours);
  const plain = new Counter({ ...CONFIG, labelNames: ['a', 'b'], registers: [theirs] });
  return { ours, theirs, counter, plain };
}

/** What an `inc` did: nothing thrown, or the error's class and message. */
function outcome(inc: () => void): string {
  try {
    inc();
    return 'ok';
  } catch (error) {
    return `${(error as Error).constructor.name}: ${(error as Error).message}`;
  }
}

describe(SeriesCounter.name, () => {
  it('prints what prom-client prints for the same increments, in first-counted order', async () => {
    const { ours, theirs, counter, plain } = pair();
    const labels = [
      { a: 'x', b: '1' },
      { a: 'y', b: '' },
      { a: 'x', b: '2' },
    ];
    const series = labels.map((l) => counter.at(l));
    // Values that do not add up exactly in floating point, in an order that matters.
    const values = [0.1, 0.2, 0.3, 1e-9, 7, 0, undefined, 1e16, 1, 3.3];
    for (let i = 0; i < 40; i++) {
      const at = (i * 7) % 3;
      const value = values[i % values.length];
      series[at].inc(value);
      plain.inc(labels[at], value);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.metrics()).toContain('x_total{a="x",b="1"}');
  });

  it('reports no series until it is counted, then reports it from its first count on', async () => {
    const { ours, counter } = pair();
    const never = counter.at({ a: 'never', b: '' });
    const zero = counter.at({ a: 'zero', b: '' });
    zero.inc(0);
    expect(await ours.metrics()).toBe(
      '# HELP x_total X.\n# TYPE x_total counter\nx_total{a="zero",b=""} 0\n',
    );
    expect(never.total).toBeUndefined();
  });

  it('refuses what prom-client refuses, with the same errors, and counts nothing for it', async () => {
    const { ours, theirs, counter, plain } = pair();
    const labels = { a: 'x', b: '' };
    const series = counter.at(labels);
    for (const value of [-1, Infinity, -Infinity, NaN, null as unknown as number, 2]) {
      expect(outcome(() => series.inc(value))).toBe(outcome(() => plain.inc(labels, value)));
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });

  it('stays right across reads: counting after a scrape adds to the same totals', async () => {
    const { ours, theirs, counter, plain } = pair();
    const series = counter.at({ a: 'x', b: '' });
    for (let i = 0; i < 5; i++) {
      series.inc(0.1);
      plain.inc({ a: 'x', b: '' }, 0.1);
      expect(await ours.metrics()).toBe(await theirs.metrics());
      expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
    }
  });
});
