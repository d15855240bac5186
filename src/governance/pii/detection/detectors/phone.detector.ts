import type { ScanState, ShapeTrigger } from '../scan-state.js';
import { codeAt, digitRunEnd, isAlnum, isDigit, isWordChar } from '../text-chars.js';

const SPACE = 0x20;
const PLUS = 0x2b;
const OPEN = 0x28;
const CLOSE = 0x29;
const DASH = 0x2d;
const DOT = 0x2e;
const SLASH = 0x2f;

/** E.164: a country code and subscriber number of 8 to 15 digits in all. */
const MIN_DIGITS = 8;
const MAX_DIGITS = 15;

/** (555) 123-4567, the space after the area code optional. */
const PARENTHESISED = /\([0-9]{3}\)[ .-]?[0-9]{3}[-. ][0-9]{4}/y;

/**
 * Phone numbers that start with a sign the digit-group detector does not see: international
 * numbers after `+` (E.164, 8-15 digits, contiguous or grouped by single spaces, dashes, dots or
 * a parenthesised area code: +14155552671, +44 20 7946 0958, +1 (555) 123-4567), and US numbers
 * with a parenthesised area code. As there, a number inside a longer digit run does not count.
 */
export const phoneTriggers: readonly ShapeTrigger[] = [
  { types: ['PHONE_NUMBER'], chars: '+', when: '(?=[0-9])', handle: international },
  {
    types: ['PHONE_NUMBER'],
    chars: '(',
    when: '(?=[0-9]{3}\\))',
    handle: parenthesised,
  },
];

function international(state: ScanState, at: number): number {
  const { text } = state;
  const prev = codeAt(text, at - 1);
  if (isAlnum(prev) || prev === PLUS) return at + 1;
  let i = at + 1;
  let end = i;
  let digits = 0;
  for (;;) {
    const paren = codeAt(text, i) === OPEN;
    const groupEnd = digitRunEnd(text, paren ? i + 1 : i);
    const n = groupEnd - (paren ? i + 1 : i);
    if (n === 0 || (paren && (n > 5 || codeAt(text, groupEnd) !== CLOSE))) break;
    digits += n;
    if (digits > MAX_DIGITS) return at + 1;
    end = paren ? groupEnd + 1 : groupEnd;
    const c = codeAt(text, end);
    const next = codeAt(text, end + 1);
    if ((c === SPACE || c === DASH || c === DOT) && (isDigit(next) || next === OPEN)) {
      i = end + 1;
    } else if (c === OPEN || (paren && isDigit(c))) {
      i = end;
    } else {
      break;
    }
  }
  if (digits >= MIN_DIGITS && endsAlone(text, end)) state.emit('PHONE_NUMBER', at, end);
  return at + 1;
}

function parenthesised(state: ScanState, at: number): number {
  const { text } = state;
  if (isWordChar(codeAt(text, at - 1))) return at + 1;
  PARENTHESISED.lastIndex = at;
  if (PARENTHESISED.test(text) && endsAlone(text, PARENTHESISED.lastIndex)) {
    state.emit('PHONE_NUMBER', at, PARENTHESISED.lastIndex);
  }
  return at + 1;
}

/** Not glued to a word, nor followed by another digit group. */
function endsAlone(text: string, end: number): boolean {
  const next = codeAt(text, end);
  if (isWordChar(next)) return false;
  const grouping = next === SPACE || next === DASH || next === DOT || next === SLASH;
  return !(grouping && isDigit(codeAt(text, end + 1)));
}
