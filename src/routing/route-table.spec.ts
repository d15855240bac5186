import { globToRegExp, RouteTable } from './route-table.js';

describe(RouteTable.name, () => {
  const route = (model: string, provider = 'mock') => ({
    model,
    strategy: 'prefix' as const,
    providers: [{ provider, weight: 1 }],
    fallbacks: [],
  });

  it('matches `*` across any run of characters, slashes included, and `?` as one character', () => {
    expect(globToRegExp('gpt-4o*').test('gpt-4o-mini')).toBe(true);
    expect(globToRegExp('gpt-4o*').test('gpt-4o')).toBe(true);
    expect(globToRegExp('mock/*').test('mock/team/a')).toBe(true);
    expect(globToRegExp('gpt-?o').test('gpt-4o')).toBe(true);
    expect(globToRegExp('gpt-?o').test('gpt-40o')).toBe(false);
  });

  it('matches the whole name, case-insensitively, with every other character literal', () => {
    expect(globToRegExp('gpt-4o').test('gpt-4o-mini')).toBe(false);
    expect(globToRegExp('4o*').test('gpt-4o')).toBe(false);
    expect(globToRegExp('GPT-4O').test('gpt-4o')).toBe(true);
    expect(globToRegExp('claude-3.5*').test('claude-3x5-sonnet')).toBe(false);
    expect(globToRegExp('a+b(c)[d]{1}^$|\\').test('a+b(c)[d]{1}^$|\\')).toBe(true);
  });

  it('lets the first matching route in configuration order win', () => {
    const table = new RouteTable([route('gpt-4o*', 'first'), route('gpt-*', 'second'), route('*')]);
    expect(table.match('gpt-4o-mini')?.targets[0].provider).toBe('first');
    expect(table.match('gpt-3.5-turbo')?.targets[0].provider).toBe('second');
    expect(table.match('claude-3-haiku')?.index).toBe(2);
  });

  it('matches nothing without routes, so prefix dispatch decides', () => {
    expect(new RouteTable([]).match('gpt-4o')).toBeUndefined();
    expect(new RouteTable([route('claude-*')]).match('gpt-4o')).toBeUndefined();
  });
});
