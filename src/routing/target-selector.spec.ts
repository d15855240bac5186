import type { CompiledRoute, RouteStrategy } from './route-table.js';
import { TargetSelector } from './target-selector.js';

describe(TargetSelector.name, () => {
  const route = (strategy: RouteStrategy, index = 0): CompiledRoute => ({
    index,
    pattern: '*',
    strategy,
    targets: [],
    fallbacks: [],
    matches: () => true,
  });
  const a = { id: 'a', weight: 3 };
  const b = { id: 'b', weight: 1 };
  const c = { id: 'c', weight: 0 };

  it('prefix: the first candidate, every time', () => {
    const selector = new TargetSelector();
    expect([1, 2, 3].map(() => selector.pick(route('prefix'), [b, a])?.id)).toEqual([
      'b',
      'b',
      'b',
    ]);
  });

  it('round-robin: rotates over the candidates, one counter per route', () => {
    const selector = new TargetSelector();
    const first = route('round-robin', 0);
    const second = route('round-robin', 1);
    const picks = [1, 2, 3, 4].map(() => selector.pick(first, [a, b])?.id);
    expect(picks).toEqual(['a', 'b', 'a', 'b']);
    expect(selector.pick(second, [a, b])?.id).toBe('a');
    // A narrower candidate list (a request only some targets can serve) still rotates.
    expect(selector.pick(first, [b])?.id).toBe('b');
  });

  it('weighted: draws in proportion to the weights and never picks a zero weight', () => {
    const draws = [0, 0.5, 0.74, 0.75, 0.99];
    let i = 0;
    const selector = new TargetSelector(() => draws[i++]);
    const picks = draws.map(() => selector.pick(route('weighted'), [c, a, b])?.id);
    // total 4: [0, 3) is a, [3, 4) is b; c (weight 0) owns nothing.
    expect(picks).toEqual(['a', 'a', 'a', 'b', 'b']);
  });

  it('weighted: takes the first candidate when every candidate weighs 0', () => {
    const selector = new TargetSelector(() => 0.5);
    expect(selector.pick(route('weighted'), [c, { id: 'd', weight: 0 }])?.id).toBe('c');
  });

  it('picks nothing from no candidates', () => {
    expect(new TargetSelector().pick(route('round-robin'), [])).toBeUndefined();
  });
});
