import { LabelLimiter, OVERFLOW_LABEL_VALUE } from './label-limiter.js';

describe(LabelLimiter.name, () => {
  it('keeps the first values of a label up to its cap, then reports other', () => {
    const limiter = new LabelLimiter(2);
    expect(['a', 'b', 'c', 'a', 'd', 'b'].map((v) => limiter.value('tenant', v))).toEqual([
      'a',
      'b',
      OVERFLOW_LABEL_VALUE,
      'a',
      OVERFLOW_LABEL_VALUE,
      'b',
    ]);
  });

  it('counts each label apart, with its own cap when one is set', () => {
    const limiter = new LabelLimiter(1, { model: 3 });
    expect(limiter.value('tenant', 'x')).toBe('x');
    expect(limiter.value('tenant', 'y')).toBe(OVERFLOW_LABEL_VALUE);
    expect(['m1', 'm2', 'm3', 'm4'].map((v) => limiter.value('model', v))).toEqual([
      'm1',
      'm2',
      'm3',
      OVERFLOW_LABEL_VALUE,
    ]);
    expect(limiter.value('provider', 'y')).toBe('y');
  });

  it('bounds every label of a set, in a new object', () => {
    const limiter = new LabelLimiter(1);
    const first = { tenant: 'a', model: 'm' };
    expect(limiter.bound(first)).toEqual({ tenant: 'a', model: 'm' });
    expect(limiter.bound({ tenant: 'b', model: 'm' })).toEqual({ tenant: 'other', model: 'm' });
    expect(first).toEqual({ tenant: 'a', model: 'm' });
  });
});
