import { AggregatorRegistry, Histogram, Registry } from 'prom-client';
import { SeriesHistogram } from './series-histogram.js';
import { seededRandom } from '../../../test/helpers/seeded-random.js';

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const CONFIG = {
  name: 'gateway_request_duration_seconds',
  help: '/v1 calls from arrival to their last byte, in seconds.',
  labelNames: ['provider', 'model'] as const,
  buckets: BUCKETS,
};
type Label = (typeof CONFIG.labelNames)[number];

/** prom-client's own histogram and ours, fed the same observations. */
function pair() {
  const theirs = new Registry();
  const ours = new Registry();
  const reference = new Histogram<Label>({
    ...CONFIG,
    labelNames: [...CONFIG.labelNames],
    registers: [theirs],
  });
  const histogram = new SeriesHistogram<Label>(CONFIG, ours);
  const series = new Map<string, ReturnType<typeof histogram.at>>();
  const observe = (provider: string, model: string, value: number) => {
    const key = `${provider}\u0000${model}`;
    let one = series.get(key);
    if (one === undefined) series.set(key, (one = histogram.at({ provider, model })));
    one.observe(value);
    reference.observe({ provider, model }, value);
  };
  return { theirs, ours, histogram, observe };
}

describe('SeriesHistogram', () => {
  it('prints what prom-client prints for the same observations, edges and awkward labels included', async () => {
    const { theirs, ours, observe } = pair();
    const next = seededRandom(7);
    // Exactly on a bound counts in that bucket; past the last bound only in +Inf; zero and
    // negative values in the first bucket.
    for (const value of [0, -1, 0.005, 0.0050001, 120, 120.5, 1e9, ...BUCKETS]) {
      observe('openai', 'gpt-4o-mini', value);
    }
    const providers = ['openai', 'anthropic', 'other', ''];
    const models = ['gpt-4o', 'claude "3"\\x', 'line\nbreak', 'other', ''];
    for (let i = 0; i < 5_000; i++) {
      const provider = providers[Math.floor(next() * providers.length)];
      const model = models[Math.floor(next() * models.length)];
      // Seconds from sub-millisecond to minutes, sums that round in floating point.
      observe(provider, model, next() ** 4 * 150);
    }
    const text = await ours.metrics();
    expect(text).toBe(await theirs.metrics());
    expect(text).toContain(
      'gateway_request_duration_seconds_bucket{le="0.005",provider="openai",model="gpt-4o-mini"} 4',
    );
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
  });

  it('reports nothing for a series never observed, and nothing before the first call', async () => {
    const { theirs, ours, histogram } = pair();
    histogram.at({ provider: 'openai', model: 'never' });
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.metrics()).not.toContain('never');
  });

  it('starts again from nothing after the registry resets its metrics', async () => {
    const { theirs, ours, observe } = pair();
    observe('openai', 'a', 0.2);
    observe('anthropic', 'b', 3);
    ours.resetMetrics();
    theirs.resetMetrics();
    observe('anthropic', 'b', 0.01);
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.metrics()).toContain(
      'gateway_request_duration_seconds_count{provider="anthropic",model="b"} 1',
    );
    expect(await ours.metrics()).not.toContain('model="a"');
  });

  it('refuses a value that is not a finite number, as prom-client does, and counts nothing', async () => {
    const { ours, histogram } = pair();
    const series = histogram.at({ provider: 'openai', model: 'm' });
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(() => series.observe(bad)).toThrow(TypeError);
    }
    expect(await ours.metrics()).not.toContain('model="m"');
  });

  it('sums across cluster workers as prom-client histograms are summed', async () => {
    const workers = [pair(), pair()];
    workers[0].observe('openai', 'a', 0.2);
    workers[0].observe('openai', 'a', 7);
    workers[1].observe('openai', 'a', 0.3);
    workers[1].observe('anthropic', 'b', 40);
    const merged = async (side: 'ours' | 'theirs') =>
      AggregatorRegistry.aggregate(
        await Promise.all(workers.map((w) => w[side].getMetricsAsJSON())),
      ).metrics();
    const text = await merged('ours');
    expect(text).toBe(await merged('theirs'));
    expect(text).toContain('gateway_request_duration_seconds_count{provider="openai",model="a"} 3');
  });

  it('takes the name once per registry, as any metric does', () => {
    const registry = new Registry();
    new SeriesHistogram<Label>(CONFIG, registry);
    expect(() => new SeriesHistogram<Label>(CONFIG, registry)).toThrow(/already been registered/);
  });
});
