import { asError } from './as-error.js';

describe(asError.name, () => {
  it('keeps an Error as it is, subclasses and stack included', () => {
    const error = new TypeError('bad');
    expect(asError(error)).toBe(error);
  });

  it('wraps anything else in an Error carrying its text', () => {
    expect(asError('gone')).toEqual(new Error('gone'));
    expect(asError(42).message).toBe('42');
    expect(asError(undefined).message).toBe('undefined');
    expect(asError(null)).toBeInstanceOf(Error);
  });
});
