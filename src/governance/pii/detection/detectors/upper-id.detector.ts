import { isDeaNumber } from '../validators/dea.validator.js';
import { IBAN_LENGTHS, isIban, MAX_IBAN_LENGTH } from '../validators/iban.validator.js';
import { isPan } from '../validators/pan.validator.js';
import type { ScanState, ShapeTrigger } from '../scan-state.js';
import { codeAt, isAlnum, isDigit, isUpper } from '../text-chars.js';

const SPACE = 0x20;

/**
 * Identifiers that start with capital letters and go on with digits, found at the first digit
 * after the capitals (capital letters are too common in text to trigger on; two or more digits
 * after one are not): IBANs (CC99 and the BBAN, spaced in fours or not; the country's length and
 * mod 97), DEA numbers (AB1234563 or A91234563: registrant type, initial or 9, 7 digits with the
 * DEA checksum) and Indian PANs (ABCPE1234F: the 4th capital is the holder type). Each must
 * start a word.
 */
export const upperIdTriggers: readonly ShapeTrigger[] = [
  {
    types: ['IBAN', 'DEA_NUMBER', 'PAN'],
    chars: '0123456789',
    when: '(?<=[A-Z][0-9])(?=[0-9])',
    handle: handleUpperId,
  },
];

function handleUpperId(state: ScanState, at: number): number {
  const { text } = state;
  let letters = 0;
  while (letters < 5 && isUpper(codeAt(text, at - letters - 1))) letters++;
  if (letters === 0) return at + 1;
  const startsWord = (start: number) => !isAlnum(codeAt(text, start - 1));
  if (letters >= 2 && startsWord(at - 2)) {
    if (state.wants('IBAN')) iban(state, at - 2);
    if (state.wants('DEA_NUMBER')) dea(state, at - 2);
  }
  if (letters === 1 && text[at] === '9' && startsWord(at - 1) && state.wants('DEA_NUMBER')) {
    dea(state, at - 1);
  }
  if (letters === 5 && startsWord(at - 5) && state.wants('PAN')) pan(state, at - 5);
  return at + 1;
}

function iban(state: ScanState, at: number): void {
  const { text } = state;
  const length = IBAN_LENGTHS.get(text.slice(at, at + 2));
  if (length === undefined || !isDigit(codeAt(text, at + 2)) || !isDigit(codeAt(text, at + 3))) {
    return;
  }
  // Electronic form, or printed with single spaces (in fours, though any single space is read).
  let value = '';
  let i = at;
  while (value.length < length && i - at < 2 * MAX_IBAN_LENGTH) {
    const c = codeAt(text, i);
    if (isDigit(c) || isUpper(c)) {
      value += text[i];
      i++;
    } else if (c === SPACE && value.length >= 4 && isAlnum(codeAt(text, i + 1))) {
      i++;
    } else {
      break;
    }
  }
  if (value.length === length && !isAlnum(codeAt(text, i)) && isIban(value)) {
    state.emit('IBAN', at, i);
  }
}

function dea(state: ScanState, at: number): void {
  const { text } = state;
  const end = at + 9;
  if (!isAlnum(codeAt(text, end)) && isDeaNumber(text.slice(at, end))) {
    state.emit('DEA_NUMBER', at, end);
  }
}

function pan(state: ScanState, start: number): void {
  const end = start + 10;
  if (!isAlnum(codeAt(state.text, end)) && isPan(state.text.slice(start, end))) {
    state.emit('PAN', start, end);
  }
}
