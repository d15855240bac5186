import { metricsSchema } from './metrics.schema.js';

describe('metricsSchema', () => {
  it('defaults to an open /metrics with 200 values per label', () => {
    expect(metricsSchema.parse(undefined)).toEqual({
      enabled: true,
      path: '/metrics',
      'bearer-token': '',
      'max-label-values': 200,
      'label-limits': {},
    });
  });

  it('takes values from ${VAR:default} strings and per-label caps', () => {
    const parsed = metricsSchema.parse({
      enabled: 'false',
      path: '/internal/metrics',
      'max-label-values': '50',
      'label-limits': { tenant: '1000', model: 20 },
    });
    expect(parsed).toMatchObject({
      enabled: false,
      path: '/internal/metrics',
      'max-label-values': 50,
      'label-limits': { tenant: 1000, model: 20 },
    });
  });

  it.each([
    [{ path: 'metrics' }, 'path'],
    [{ path: '/v1/metrics' }, 'path'],
    [{ path: '/health' }, 'path'],
    [{ path: '/a b' }, 'path'],
    [{ 'max-label-values': 0 }, 'max-label-values'],
    [{ 'label-limits': { prompt: 10 } }, 'label-limits'],
    [{ 'label-limit': {} }, ''],
  ])('refuses %j', (input, key) => {
    const result = metricsSchema.safeParse(input);
    expect(result.success).toBe(false);
    if (key !== '') expect(result.error?.issues[0].path[0]).toBe(key);
  });
});
