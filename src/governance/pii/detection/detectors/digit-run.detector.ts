import { isCardNumber } from '../validators/card.validator.js';
import { isIpv4 } from '../validators/ip.validator.js';
import { isSsn } from '../validators/ssn.validator.js';
import { isAadhaar } from '../validators/verhoeff.validator.js';
import type { ScanState, ShapeTrigger } from '../scan-state.js';
import { codeAt, digitRunEnd, isDigit, isWordChar } from '../text-chars.js';

const SPACE = 0x20;
const PLUS = 0x2b;
const COMMA = 0x2c;
const DASH = 0x2d;
const DOT = 0x2e;
const SLASH = 0x2f;
const COLON = 0x3a;

/** No number this detector knows has more digits in one group. */
const MAX_GROUP_DIGITS = 19;

/**
 * The groupings read, by separator (a negative length -n is 1 to n digits): SSN 3-2-4, US phone
 * 3-3-4 and 1-3-3-4, Aadhaar 4-4-4, cards 4-4-4-4(-1..3), Amex 4-6-5, Diners 4-6-4, IPv4 quads.
 * Groups are read only while they can still make one of these, and one more (so an exact shape
 * is known not to go on).
 */
const SHAPES_BY_SEPARATOR: ReadonlyMap<number, readonly (readonly number[])[]> = new Map([
  [
    0x2d,
    [
      [3, 2, 4],
      [3, 3, 4],
      [1, 3, 3, 4],
      [4, 4, 4],
      [4, 4, 4, 4, -3],
      [4, 6, 5],
      [4, 6, 4],
    ],
  ],
  [
    0x20,
    [
      [3, 3, 4],
      [1, 3, 3, 4],
      [4, 4, 4],
      [4, 4, 4, 4, -3],
      [4, 6, 5],
      [4, 6, 4],
    ],
  ],
  [
    0x2e,
    [
      [3, 3, 4],
      [1, 3, 3, 4],
      [-3, -3, -3, -3],
    ],
  ],
]);

/** Card groupings, longest first: 4-4-4-4-(1..3), 4-4-4-4, Amex 4-6-5, Diners 4-6-4. */
const CARD_SHAPES: readonly (readonly number[])[] = [
  [4, 4, 4, 4, 3],
  [4, 4, 4, 4, 2],
  [4, 4, 4, 4, 1],
  [4, 4, 4, 4],
  [4, 6, 5],
  [4, 6, 4],
];

/**
 * Numbers made of digit groups: SSN (ddd-dd-dddd), US phone numbers (ddd-ddd-dddd with `-`,
 * `.` or space, optionally after `1`), credit cards (13-19 digits, or grouped by spaces or
 * dashes), Aadhaar (12 digits, or 4-4-4) and IPv4 (dotted quads). A number counts only on its
 * own: not glued to a word, not a part of a decimal, and, for the weakly validated types (phone,
 * SSN, Aadhaar), not inside a longer run of digit groups. Cards, being Luhn-checked, may follow
 * another number ("order 42 4111 1111 1111 1111") and be followed by one (an expiry).
 */
export const digitRunTriggers: readonly ShapeTrigger[] = [
  {
    types: ['PHONE_NUMBER', 'SSN', 'CREDIT_CARD', 'AADHAAR', 'IP_ADDRESS'],
    chars: '0123456789',
    when: '(?=[0-9]{2}|[0-9]?\\.[0-9])',
    handle: handleDigitRun,
  },
  {
    types: ['PHONE_NUMBER'],
    chars: '1',
    when: '(?=[-. ][0-9]{3}[-. ][0-9]{3}[-. ][0-9]{4})',
    handle: handleDigitRun,
  },
];

function handleDigitRun(state: ScanState, at: number): number {
  const { text } = state;
  const firstEnd = digitRunEnd(text, at);
  const prev = codeAt(text, at - 1);
  if (isWordChar(prev) || prev === PLUS) return firstEnd;
  const prevDigit = isDigit(codeAt(text, at - 2));
  const continues = prev === DOT || prev === COMMA || prev === DASH || prev === SLASH;
  if (prevDigit && (continues || prev === COLON)) return firstEnd;
  if (firstEnd - at > MAX_GROUP_DIGITS) return firstEnd;

  const sep = codeAt(text, firstEnd);
  const grouped =
    (sep === SPACE || sep === DASH || sep === DOT) && isDigit(codeAt(text, firstEnd + 1));
  if (!grouped) {
    singleGroup(state, at, firstEnd, !(prev === SPACE && prevDigit));
    return firstEnd;
  }
  const shapes = SHAPES_BY_SEPARATOR.get(sep) ?? [];
  const ends = [firstEnd];
  const lengths = [firstEnd - at];
  let i = firstEnd;
  while (codeAt(text, i) === sep && isDigit(codeAt(text, i + 1)) && couldGrow(shapes, lengths)) {
    // A group longer than any shape's is read no further: it is examined from its own start.
    const end = digitRunEnd(text, i + 1, i + 2 + MAX_GROUP_DIGITS);
    ends.push(end);
    lengths.push(end - i - 1);
    i = end;
  }
  // More than four dotted groups (a version string, 1.1.1.1...) hold no address or phone
  // number anywhere: skip the whole run at once.
  if (sep === DOT && ends.length > 4) return dottedRunEnd(text, i);
  groupedNumber(state, at, ends, lengths, sep, !(prev === SPACE && prevDigit));
  return firstEnd;
}

/** Whether the groups read so far begin one of `shapes`, or complete one (one more is read). */
function couldGrow(shapes: readonly (readonly number[])[], lengths: readonly number[]): boolean {
  return shapes.some((shape) => shape.length >= lengths.length && fits(lengths, shape));
}

function fits(lengths: readonly number[], shape: readonly number[]): boolean {
  for (let k = 0; k < lengths.length; k++) {
    const want = shape[k];
    if (want < 0 ? lengths[k] < 1 || lengths[k] > -want : lengths[k] !== want) return false;
  }
  return true;
}

function singleGroup(state: ScanState, at: number, end: number, strictStart: boolean): void {
  const { text } = state;
  const n = end - at;
  if (n >= 13 && state.wants('CREDIT_CARD') && endsCleanly(text, end)) {
    if (isCardNumber(text.slice(at, end))) state.emit('CREDIT_CARD', at, end);
  } else if (n === 12 && strictStart && state.wants('AADHAAR') && endsStrictly(text, end)) {
    if (isAadhaar(text.slice(at, end))) state.emit('AADHAAR', at, end);
  }
}

function groupedNumber(
  state: ScanState,
  at: number,
  ends: readonly number[],
  lengths: readonly number[],
  sep: number,
  strictStart: boolean,
): void {
  const { text } = state;
  const last = ends[ends.length - 1];
  const digits = (groups: number) => digitsOf(text, at, ends, groups);
  if (sep === DOT) {
    if (ends.length === 4 && endsCleanly(text, last) && isIpv4(text.slice(at, last))) {
      state.emit('IP_ADDRESS', at, last);
      return;
    }
  }
  if (strictStart && endsStrictly(text, last)) {
    if (sep === DASH && is(lengths, [3, 2, 4]) && isSsn(digits(3))) state.emit('SSN', at, last);
    const usPhone = is(lengths, [3, 3, 4]) || (is(lengths, [1, 3, 3, 4]) && text[at] === '1');
    if (usPhone) state.emit('PHONE_NUMBER', at, last);
    if (sep !== DOT && is(lengths, [4, 4, 4]) && state.wants('AADHAAR') && isAadhaar(digits(3))) {
      state.emit('AADHAAR', at, last);
    }
  }
  if (sep === DOT || !state.wants('CREDIT_CARD')) return;
  for (const shape of CARD_SHAPES) {
    const end = ends[shape.length - 1];
    if (
      startsWith(lengths, shape) &&
      endsCleanly(text, end) &&
      isCardNumber(digits(shape.length))
    ) {
      state.emit('CREDIT_CARD', at, end);
      return;
    }
  }
}

/** The digits of the first `groups` groups, separators left out. */
function digitsOf(text: string, at: number, ends: readonly number[], groups: number): string {
  let out = text.slice(at, ends[0]);
  for (let k = 1; k < groups; k++) out += text.slice(ends[k - 1] + 1, ends[k]);
  return out;
}

function is(lengths: readonly number[], shape: readonly number[]): boolean {
  return lengths.length === shape.length && startsWith(lengths, shape);
}

function startsWith(lengths: readonly number[], shape: readonly number[]): boolean {
  if (lengths.length < shape.length) return false;
  for (let k = 0; k < shape.length; k++) if (lengths[k] !== shape[k]) return false;
  return true;
}

/** Not glued to a word, and not the integer part of a decimal (`.5`, `,5`). */
function endsCleanly(text: string, end: number): boolean {
  const next = codeAt(text, end);
  if (isWordChar(next)) return false;
  return !((next === DOT || next === COMMA) && isDigit(codeAt(text, end + 1)));
}

/** As `endsCleanly`, and not followed by another digit group (` 12`, `-12`, `/12`). */
function endsStrictly(text: string, end: number): boolean {
  const next = codeAt(text, end);
  const grouping = next === SPACE || next === DASH || next === SLASH;
  return endsCleanly(text, end) && !(grouping && isDigit(codeAt(text, end + 1)));
}

function dottedRunEnd(text: string, from: number): number {
  let i = from;
  while (codeAt(text, i) === DOT && isDigit(codeAt(text, i + 1))) i = digitRunEnd(text, i + 1);
  return i;
}
