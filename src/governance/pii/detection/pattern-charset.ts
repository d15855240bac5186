/**
 * Sets of code points, for reading what a custom pattern's atoms can match (the `u` flag reads
 * text by code point; a lone surrogate is a code point of its own). A set is a sorted list of
 * disjoint, non-adjacent inclusive ranges.
 */
export const MAX_CODE_POINT = 0x10ffff;
/**
 * Not a character: the end of a pattern (or of a lookaround's body), which the backtracking check
 * treats as one more thing a branch can "read" first. Only ever added to a set explicitly.
 */
export const END_OF_PATTERN = MAX_CODE_POINT + 1;

export class CharSet {
  static readonly EMPTY = new CharSet([]);

  /** `bounds` holds [lo0, hi0, lo1, hi1, ...], already sorted, disjoint and non-adjacent. */
  private constructor(private readonly bounds: readonly number[]) {}

  static of(...ranges: ReadonlyArray<readonly [number, number]>): CharSet {
    return CharSet.normalized(ranges.map(([lo, hi]) => [lo, hi] as const));
  }

  static char(cp: number): CharSet {
    return new CharSet([cp, cp]);
  }

  get isEmpty(): boolean {
    return this.bounds.length === 0;
  }

  /** The ranges, as [lo, hi] pairs. */
  ranges(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (let i = 0; i < this.bounds.length; i += 2) out.push([this.bounds[i], this.bounds[i + 1]]);
    return out;
  }

  has(cp: number): boolean {
    for (let i = 0; i < this.bounds.length; i += 2) {
      if (cp < this.bounds[i]) return false;
      if (cp <= this.bounds[i + 1]) return true;
    }
    return false;
  }

  union(other: CharSet): CharSet {
    if (other.isEmpty) return this;
    if (this.isEmpty) return other;
    return CharSet.normalized([...this.ranges(), ...other.ranges()]);
  }

  intersect(other: CharSet): CharSet {
    const a = this.bounds;
    const b = other.bounds;
    const out: number[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length && j < b.length) {
      const lo = Math.max(a[i], b[j]);
      const hi = Math.min(a[i + 1], b[j + 1]);
      if (lo <= hi) out.push(lo, hi);
      if (a[i + 1] < b[j + 1]) i += 2;
      else j += 2;
    }
    return new CharSet(out);
  }

  intersects(other: CharSet): boolean {
    return !this.intersect(other).isEmpty;
  }

  /** Every code point (0 to U+10FFFF) not in this set; the end-of-pattern mark is never added. */
  complement(): CharSet {
    const out: number[] = [];
    let next = 0;
    for (let i = 0; i < this.bounds.length; i += 2) {
      if (this.bounds[i] > MAX_CODE_POINT) break;
      if (this.bounds[i] > next) out.push(next, this.bounds[i] - 1);
      next = this.bounds[i + 1] + 1;
    }
    if (next <= MAX_CODE_POINT) out.push(next, MAX_CODE_POINT);
    return new CharSet(out);
  }

  /** For messages and tests: `[0-9A-Z_a-z]`, code points in hex beyond printable ASCII. */
  toString(): string {
    const show = (cp: number) =>
      cp === END_OF_PATTERN
        ? '<end>'
        : cp > 0x20 && cp < 0x7f
          ? String.fromCharCode(cp)
          : `\\u{${cp.toString(16)}}`;
    return `[${this.ranges()
      .map(([lo, hi]) => (lo === hi ? show(lo) : `${show(lo)}-${show(hi)}`))
      .join('')}]`;
  }

  private static normalized(ranges: ReadonlyArray<readonly [number, number]>): CharSet {
    const sorted = ranges.filter(([lo, hi]) => lo <= hi).sort((x, y) => x[0] - y[0]);
    const out: number[] = [];
    for (const [lo, hi] of sorted) {
      const last = out.length - 1;
      if (last > 0 && lo <= out[last] + 1) out[last] = Math.max(out[last], hi);
      else out.push(lo, hi);
    }
    return new CharSet(out);
  }
}

export const ANY = CharSet.of([0, MAX_CODE_POINT]);
export const DIGIT = CharSet.of([0x30, 0x39]);
/** `\w` with the `u` flag and without `i`: ASCII letters, digits and `_`. */
export const WORD = CharSet.of([0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]);
/** `\s`: ECMAScript's WhiteSpace and LineTerminator. */
export const SPACE = CharSet.of(
  [0x09, 0x0d],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
);
/** `.` without the `s` flag: anything but a line terminator. */
export const DOT = CharSet.of([0x0a, 0x0a], [0x0d, 0x0d], [0x2028, 0x2029]).complement();

/**
 * Where the sets of Unicode properties are not computed but assumed: the surrogates and every
 * astral code point. `\p{...}` is computed exactly over the rest of the BMP (which is cheap) and
 * then assumed to hold all of these, and so is `\P{...}` and a negated class that holds either:
 * a superset of the real set, so two property sets may look like they overlap when they do not,
 * never the reverse.
 */
export const PROPERTY_APPROXIMATED = CharSet.of([0xd800, 0xdfff], [0x10000, MAX_CODE_POINT]);

const propertyCache = new Map<string, CharSet>();
const PROPERTY_CACHE_LIMIT = 256;
let bmpTexts: readonly string[] | undefined;

/**
 * `\p{name}`: the BMP code points outside the surrogates that have the property, exactly (read
 * from the engine itself), plus PROPERTY_APPROXIMATED. `name` must be valid (the pattern compiled).
 */
export function unicodePropertySet(name: string): CharSet {
  const cached = propertyCache.get(name);
  if (cached !== undefined) return cached;
  bmpTexts ??= [codePointRun(0, 0xd7ff), codePointRun(0xe000, 0xffff)];
  const runs = new RegExp(`[\\p{${name}}]+`, 'gu');
  const ranges: Array<[number, number]> = [];
  for (const [part, text] of bmpTexts.entries()) {
    const offset = part === 0 ? 0 : 0xe000;
    for (const m of text.matchAll(runs)) {
      ranges.push([offset + m.index, offset + m.index + m[0].length - 1]);
    }
  }
  const set = CharSet.of(...ranges).union(PROPERTY_APPROXIMATED);
  if (propertyCache.size >= PROPERTY_CACHE_LIMIT) propertyCache.clear();
  propertyCache.set(name, set);
  return set;
}

/** Every code point from `from` to `to` (BMP, no surrogates), one UTF-16 unit each. */
function codePointRun(from: number, to: number): string {
  const parts: string[] = [];
  for (let start = from; start <= to; start += 4096) {
    const codes: number[] = [];
    for (let cp = start; cp <= Math.min(to, start + 4095); cp++) codes.push(cp);
    parts.push(String.fromCharCode(...codes));
  }
  return parts.join('');
}
