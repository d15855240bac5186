import { describe, expect, it } from '@jest/globals';
import { containsSkippedKey } from './skipped-keys.js';

describe(containsSkippedKey.name, () => {
  it.each([
    ['no key at all', 'x', false],
    ['a clean body', { model: 'm', messages: [{ role: 'user', content: ['a', { b: 1 }] }] }, false],
    ['constructor at the top', { constructor: 1 }, true],
    ['toString inside an array', [1, [{ a: [{ toString: 'x' }] }]], true],
    ['__proto__ as JSON.parse leaves it', JSON.parse('{"a":{"b":[{"__proto__":{}}]}}'), true],
    ['a skipped name as a value only', { a: 'constructor', b: ['__proto__'] }, false],
  ])('%s: %s', (_what, value, expected) => {
    expect(containsSkippedKey(value)).toBe(expected);
  });

  it('walks a million levels without exhausting the stack', () => {
    let clean: unknown = 1;
    for (let i = 0; i < 1_000_000; i++) clean = i % 2 ? [clean] : { a: clean };
    expect(containsSkippedKey(clean)).toBe(false);
    expect(containsSkippedKey({ a: clean, b: { valueOf: 1 } })).toBe(true);
  });
});
