import { describe, expect, it } from '@jest/globals';
import { ErrorCode } from '../errors/error-code.js';
import { GatewayError } from '../errors/gateway-error.js';
import {
  MAX_NESTING_DEPTH,
  assertNestingWithinLimit,
  containsSkippedKey,
  fieldNestedTooDeep,
} from './body-scan.js';

/** `levels` objects or arrays, one inside the other, built without recursion. */
function nested(levels: number, wrap: (inner: unknown) => unknown): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < levels; i++) value = wrap(value);
  return value;
}
const inArray = (inner: unknown) => [inner];
const inObject = (inner: unknown) => ({ a: inner });
const alternating = (inner: unknown) => (Array.isArray(inner) ? { a: inner } : [inner]);

describe(fieldNestedTooDeep.name, () => {
  it('counts the body as level 1, so a field may nest one level less than the limit', () => {
    for (const wrap of [inArray, inObject, alternating]) {
      expect(fieldNestedTooDeep({ f: nested(MAX_NESTING_DEPTH - 1, wrap) })).toBeUndefined();
      expect(fieldNestedTooDeep({ f: nested(MAX_NESTING_DEPTH, wrap) })).toBe('f');
    }
    expect(fieldNestedTooDeep({ f: nested(3, inArray) }, 4)).toBeUndefined();
    expect(fieldNestedTooDeep({ f: nested(4, inArray) }, 4)).toBe('f');
  });

  it('names the first top-level field that is too deep, wherever the depth hides', () => {
    const deep = nested(MAX_NESTING_DEPTH, inObject);
    const body = {
      model: 'm',
      shallow: [{ a: [1, 2, { b: null }] }, 'x'],
      messages: [{ role: 'user' }, { content: [{ image_url: deep }] }],
      metadata: deep,
    };
    expect(fieldNestedTooDeep(body)).toBe('messages');
  });

  it('accepts flat values and wide shallow bodies', () => {
    expect(fieldNestedTooDeep({})).toBeUndefined();
    expect(fieldNestedTooDeep({ a: 1, b: 'x', c: null, d: true })).toBeUndefined();
    const wide = { items: Array.from({ length: 10_000 }, (_, i) => ({ i, tags: [String(i)] })) };
    expect(fieldNestedTooDeep(wide)).toBeUndefined();
  });

  it('walks a million levels without exhausting the stack', () => {
    for (const wrap of [inArray, inObject]) {
      expect(fieldNestedTooDeep({ f: nested(1_000_000, wrap) })).toBe('f');
    }
  });
});

describe(assertNestingWithinLimit.name, () => {
  it('refuses with validation_error naming the field and the limit', () => {
    let error: unknown;
    try {
      assertNestingWithinLimit({ model: 'm', metadata: nested(10_000, inObject) });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({
      code: ErrorCode.ValidationError,
      status: 400,
      param: 'metadata',
      message: `metadata is nested too deeply: a request body may nest objects and arrays at most ${MAX_NESTING_DEPTH} levels deep.`,
    });
  });

  it('lets a body within the limit pass', () => {
    expect(() =>
      assertNestingWithinLimit({ f: nested(MAX_NESTING_DEPTH - 1, inArray) }),
    ).not.toThrow();
  });
});

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
