import { ActivityAggregator, type ActivityCall, bucketStart } from './activity.aggregator.js';

const HOUR = 3_600_000;
const at = (iso: string) => Date.parse(iso);
const call = (iso: string, extra: Partial<ActivityCall> = {}): ActivityCall => ({
  at: at(iso),
  tenant: 'acme',
  keyId: 'key_a',
  model: 'gpt-4o',
  status: 200,
  inputTokens: 10,
  outputTokens: 5,
  costUsd: 0.000_001,
  ...extra,
});

describe(ActivityAggregator.name, () => {
  it('fills every bucket of the range, empty ones as zeros', () => {
    const from = at('2026-12-07T10:30:00Z');
    const aggregator = new ActivityAggregator(from, from + 3 * HOUR, 'hour');
    const { series, total } = aggregator.result(10);
    expect(series.map((p) => p.start)).toEqual([
      '2026-12-07T10:00:00.000Z',
      '2026-12-07T11:00:00.000Z',
      '2026-12-07T12:00:00.000Z',
      '2026-12-07T13:00:00.000Z',
    ]);
    expect(total).toEqual({
      requests: 0,
      errors: 0,
      input_tokens: 0,
      output_tokens: 0,
      cost_usd: 0,
    });
  });

  it('sums calls into their bucket, counts status >= 400 as errors, ignores calls outside', () => {
    const from = at('2026-12-07T10:00:00Z');
    const aggregator = new ActivityAggregator(from, from + 2 * HOUR, 'hour');
    aggregator.add(call('2026-12-07T10:05:00Z'));
    aggregator.add(call('2026-12-07T10:59:59Z', { status: 429, tenant: 'beta', model: null }));
    aggregator.add(call('2026-12-07T11:00:00Z', { status: 500 }));
    aggregator.add(call('2026-12-07T12:00:00Z'));
    aggregator.add(call('2026-12-07T09:59:59Z'));
    const result = aggregator.result(10);
    expect(result.series.map((p) => [p.requests, p.errors])).toEqual([
      [2, 1],
      [1, 1],
    ]);
    expect(result.total).toEqual({
      requests: 3,
      errors: 2,
      input_tokens: 30,
      output_tokens: 15,
      cost_usd: 0.000_003,
    });
    expect(result.top_tenants.map((t) => [t.name, t.requests])).toEqual([
      ['acme', 2],
      ['beta', 1],
    ]);
    expect(result.top_models).toEqual([expect.objectContaining({ name: 'gpt-4o', requests: 2 })]);
    expect(result.top_keys).toEqual([expect.objectContaining({ name: 'key_a', requests: 3 })]);
  });

  it('ranks by requests and keeps the top n', () => {
    const from = at('2026-12-07T00:00:00Z');
    const aggregator = new ActivityAggregator(from, from + 86_400_000, 'day');
    for (const [tenant, n] of [
      ['a', 1],
      ['b', 3],
      ['c', 2],
    ] as const) {
      for (let i = 0; i < n; i += 1) aggregator.add(call('2026-12-07T01:00:00Z', { tenant }));
    }
    expect(aggregator.result(2).top_tenants.map((t) => t.name)).toEqual(['b', 'c']);
  });

  it('starts buckets on UTC boundaries', () => {
    expect(new Date(bucketStart(at('2026-12-07T10:42:13.5Z'), 'minute')).toISOString()).toBe(
      '2026-12-07T10:42:00.000Z',
    );
    expect(new Date(bucketStart(at('2026-12-07T10:42:13Z'), 'day')).toISOString()).toBe(
      '2026-12-07T00:00:00.000Z',
    );
  });
});
