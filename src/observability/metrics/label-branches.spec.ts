import { LabelBranches } from './label-branches.js';
import { LabelLimiter, OVERFLOW_LABEL_VALUE } from './label-limiter.js';

describe(LabelBranches.name, () => {
  it('makes one child per bounded value, values past the cap sharing other', () => {
    const limiter = new LabelLimiter(2);
    const made: string[] = [];
    const branches = new LabelBranches(limiter, 'model', (value) => {
      made.push(value);
      return { value };
    });
    const children = ['a', 'b', 'c', 'a', 'd', 'b', 'c'].map((v) => branches.get(v).value);
    expect(children).toEqual(['a', 'b', 'other', 'a', 'other', 'b', 'other']);
    expect(made).toEqual(['a', 'b', OVERFLOW_LABEL_VALUE]);
    expect(branches.get('d')).toBe(branches.get(OVERFLOW_LABEL_VALUE));
  });

  it('bounds through the shared limiter: a value kept elsewhere first stays exact here', () => {
    const limiter = new LabelLimiter(1);
    expect(limiter.value('tenant', 'elsewhere')).toBe('elsewhere');
    const branches = new LabelBranches(limiter, 'tenant', (value) => value);
    expect(branches.get('new')).toBe(OVERFLOW_LABEL_VALUE);
    expect(branches.get('elsewhere')).toBe('elsewhere');
  });

  it('keeps no value past the cap: many distinct ones leave one child and the limiter unchanged', () => {
    const limiter = new LabelLimiter(1);
    const branches = new LabelBranches(limiter, 'model', (value) => ({ value }));
    branches.get('kept');
    for (let i = 0; i < 10_000; i++) branches.get(`caller-model-${i}`);
    const children = (branches as unknown as { children: Map<string, unknown> }).children;
    expect([...children.keys()]).toEqual(['kept', OVERFLOW_LABEL_VALUE]);
  });
});
