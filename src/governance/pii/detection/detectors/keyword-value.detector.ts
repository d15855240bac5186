import type { PiiType } from '../../pii.types.js';
import { isRealDate } from '../validators/date.validator.js';
import { isNpi } from '../validators/npi.validator.js';
import { isSsn } from '../validators/ssn.validator.js';
import type { KeywordTrigger, ScanState, ShapeTrigger } from '../scan-state.js';
import { codeAt, isDigit, isLetter } from '../text-chars.js';

/** A date of birth must start within this many characters after its keyword. */
const DOB_WINDOW = 30;
/** The longest date form read (MM/DD/YYYY, DD.MM.YYYY, YYYY-MM-DD). */
const DATE_LENGTH = 10;

/**
 * What may stand between a keyword and its value: separators and a few filler words
 * ("Passport No. 912803456", "MRN#: 00123456", "SSN is 123 45 6789"). Bounded, and its parts
 * start with different characters, so a failed attempt costs a constant.
 */
const FILLER =
  '[\\s:#=.,\'"()\\-]{0,4}(?:(?:[Nn](?:umber|um|r|o)|NUMBER|NO|I[Dd]|id|is|was|of)(?![A-Za-z])[\\s:#=.,\'"()\\-]{0,4}){0,3}';

const value = (source: string) => new RegExp(`${FILLER}(${source})`, 'y');
/** US passports: 9 digits, or a letter and 8 digits; other countries' 1-2 letters and digits. */
const PASSPORT = value('(?:[A-Z]{1,2}[0-9]{6,8}|[0-9]{8,9})(?![A-Za-z0-9]|[-.][0-9])');
/** Licence and record numbers: 4 to 20 letters, digits and inner dashes, 4 or more digits. */
const ID_TOKEN = value('[A-Z0-9][A-Z0-9-]{2,18}[A-Z0-9](?![A-Za-z0-9-])');
const NPI = value('[0-9]{10}(?![0-9]|[-.][0-9])');
/** With the keyword, an SSN may also be written bare (123456789) or spaced (123 45 6789). */
const SSN = value('[0-9]{3}([- ]?)[0-9]{2}\\2[0-9]{4}(?![A-Za-z0-9]|[-.][0-9])');

const DATES =
  /(?<![0-9])(?:([0-9]{1,2})\/([0-9]{1,2})\/([0-9]{4})|([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})|([0-9]{4})-([0-9]{1,2})-([0-9]{1,2}))(?![0-9]|[/.-][0-9])/g;

/**
 * Keyword-anchored values (the finding is the value; the keyword stays in the text): dates of
 * birth (a real date in MM/DD/YYYY, DD.MM.YYYY or YYYY-MM-DD within 30 characters after born,
 * DOB, birth, date of birth), passport numbers, driver's licences, medical record numbers, NPI
 * numbers (Luhn with the 80840 prefix), and SSNs written without dashes after SSN or social
 * security (with dashes they are found anywhere). A keyword must be a word of its own.
 */
export const keywordValueTriggers: readonly KeywordTrigger[] = [
  {
    types: ['DATE_OF_BIRTH'],
    pattern: 'date[ _-]?of[ _-]?birth|birth(?:[ _-]?date|day)?|born|d\\.?o\\.?b\\.?',
    handle: (state, start, end) => isWord(state, start, end) && dateOfBirth(state, end),
  },
  {
    types: ['PASSPORT_NUMBER'],
    pattern: 'passport',
    handle: anchored('PASSPORT_NUMBER', PASSPORT),
  },
  {
    types: ['DRIVERS_LICENSE'],
    pattern: "driver['’]?s?[ _-]?licen[cs]e|driving[ _-]?licen[cs]e",
    handle: anchored('DRIVERS_LICENSE', ID_TOKEN, hasFourDigits),
  },
  {
    types: ['MEDICAL_RECORD_NUMBER'],
    pattern: 'mrn|medical[ _-]?record',
    handle: anchored('MEDICAL_RECORD_NUMBER', ID_TOKEN, hasFourDigits),
  },
  { types: ['NPI_NUMBER'], pattern: 'npi', handle: anchored('NPI_NUMBER', NPI, isNpi) },
  {
    types: ['SSN'],
    pattern: 'ssn|ss#|social[ _-]?security',
    handle: anchored('SSN', SSN, (v) => isSsn(v.replace(/[^0-9]/g, ''))),
  },
];

/** `DL` (and `DLN`), upper case only: in lower case it is inside too many words (handle, idle). */
export const driversLicenceTriggers: readonly ShapeTrigger[] = [
  {
    types: ['DRIVERS_LICENSE'],
    chars: 'D',
    when: '(?=LN?[^A-Za-z0-9_])',
    handle: (state, at) => {
      const end = state.text.startsWith('DLN', at) ? at + 3 : at + 2;
      if (isWord(state, at, end)) findValue(state, end, 'DRIVERS_LICENSE', ID_TOKEN, hasFourDigits);
      return end;
    },
  },
];

function anchored(type: PiiType, shape: RegExp, accept: (value: string) => boolean = () => true) {
  return (state: ScanState, start: number, end: number): void => {
    if (isWord(state, start, end)) findValue(state, end, type, shape, accept);
  };
}

function findValue(
  state: ScanState,
  from: number,
  type: PiiType,
  shape: RegExp,
  accept: (value: string) => boolean,
): void {
  shape.lastIndex = from;
  const m = shape.exec(state.text);
  if (m === null || !accept(m[1])) return;
  const end = shape.lastIndex;
  state.emit(type, end - m[1].length, end);
}

/** The keyword is not a part of a longer word (the value's own regex decides what follows). */
function isWord(state: ScanState, start: number, end: number): boolean {
  const before = codeAt(state.text, start - 1);
  const last = codeAt(state.text, end - 1);
  return !isLetter(before) && (!isLetter(last) || !isLetter(codeAt(state.text, end)));
}

function dateOfBirth(state: ScanState, from: number): void {
  const window = state.text.slice(from, from + DOB_WINDOW + DATE_LENGTH + 1);
  DATES.lastIndex = 0;
  for (let m = DATES.exec(window); m !== null; m = DATES.exec(window)) {
    if (m.index > DOB_WINDOW) break;
    const [, mo1, d1, y1, d2, mo2, y2, y3, mo3, d3] = m;
    const date =
      y1 !== undefined ? [y1, mo1, d1] : y2 !== undefined ? [y2, mo2, d2] : [y3, mo3, d3];
    const [year, month, day] = date.map(Number);
    if (isRealDate(year, month, day)) {
      state.emit('DATE_OF_BIRTH', from + m.index, from + m.index + m[0].length);
    }
  }
}

function hasFourDigits(value: string): boolean {
  let digits = 0;
  for (let i = 0; i < value.length && digits < 4; i++) if (isDigit(value.charCodeAt(i))) digits++;
  return digits >= 4;
}
