import { describe, expect, it } from '@jest/globals';
import { validateHeaderValue } from 'node:http';
import { headerSafe } from './header-value.js';

describe(headerSafe.name, () => {
  it('leaves visible ASCII alone', () => {
    const value = 'mock/gpt-4o_mini:2024.08~1+x@y!(z)';
    expect(headerSafe(value)).toBe(value);
  });

  it.each([
    ['a space', 'a b', 'a%20b'],
    ['a percent sign', '100%', '100%25'],
    ['Latin-1', 'modèle', 'mod%C3%A8le'],
    ['CJK', '模型', '%E6%A8%A1%E5%9E%8B'],
    ['a surrogate pair', '😀', '%F0%9F%98%80'],
    ['control characters', 'a\r\nx-evil: 1\u0000', 'a%0D%0Ax-evil:%201%00'],
    ['DEL', '\u007f', '%7F'],
  ])('percent-encodes %s as UTF-8, reversibly', (_what, value, encoded) => {
    expect(headerSafe(value)).toBe(encoded);
    expect(decodeURIComponent(encoded)).toBe(value);
  });

  it('replaces lone surrogates, which have no UTF-8 form, with U+FFFD', () => {
    expect(headerSafe('mock/\ud800x\udc00')).toBe('mock/%EF%BF%BDx%EF%BF%BD');
  });

  it('always gives a value Node accepts', () => {
    const every = Array.from({ length: 0x800 }, (_, i) => String.fromCharCode(i)).join('');
    for (const value of [every, '\ud800', '\udfff\ud800', 'x'.repeat(10) + '\u2028']) {
      expect(() => validateHeaderValue('x-test', headerSafe(value))).not.toThrow();
    }
  });
});
