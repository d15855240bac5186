import { looksLikeSecret } from '../validators/secret.validator.js';
import type { KeywordTrigger, ScanState } from '../scan-state.js';
import { codeAt, isLetter } from '../text-chars.js';

/** A keyword-anchored secret has at most this many characters (longer runs are data, not keys). */
const MAX_VALUE = 512;
const MIN_VALUE = 8;
/** Passwords are shorter than keys: `password: hunter2` is still one. */
const MIN_PASSWORD = 6;

/**
 * After the keyword: the rest of the identifier (`DB_PASSWORD`, `apiKey`, `x-api-key`), an
 * optional closing quote, then `:`, `=`, `:=` or `=>`, and an optional opening quote. Bounded.
 */
const ASSIGNMENT = /[\w.-]{0,40}["']?\s{0,3}(?::=|=>|[:=])\s{0,3}["']?/y;
/** `Bearer <token>`: RFC 6750 token characters. */
const BEARER_TOKEN = /\s{1,3}([A-Za-z0-9._~+/-]{12,4096}=*)(?![A-Za-z0-9._~+/=-])/y;

/**
 * Generic secrets, only where a keyword names them (`api_key=`, `secret:`, `password=`,
 * `token:`, `aws_secret_access_key = ...`) and the value passes the entropy check, and bearer
 * tokens in text (`Authorization: Bearer <token>`). The finding is the value.
 */
export const secretKeywordTriggers: readonly KeywordTrigger[] = [
  {
    types: ['SECRET'],
    pattern: 'pass(?:word|wd|phrase)|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key',
    handle: assignedSecret,
  },
  { types: ['SECRET'], pattern: 'bearer', handle: bearer },
];

function assignedSecret(state: ScanState, start: number, end: number): void {
  const { text } = state;
  ASSIGNMENT.lastIndex = end;
  if (!ASSIGNMENT.test(text)) return;
  const from = ASSIGNMENT.lastIndex;
  // A value already examined (its run holds this keyword too: secret=secret=secret...).
  if (from < state.secretValueUntil) return;
  let to = from;
  while (to < text.length && to - from <= MAX_VALUE && isValueChar(text.charCodeAt(to))) to++;
  state.secretValueUntil = to;
  const password = /^p(?:ass|wd)/i.test(text.slice(start, end));
  const min = password ? MIN_PASSWORD : MIN_VALUE;
  if (to - from <= MAX_VALUE && looksLikeSecret(text.slice(from, to), min)) {
    state.emit('SECRET', from, to);
  }
}

function bearer(state: ScanState, start: number, end: number): void {
  const { text } = state;
  if (isLetter(codeAt(text, start - 1))) return;
  BEARER_TOKEN.lastIndex = end;
  const m = BEARER_TOKEN.exec(text);
  if (m !== null && looksLikeSecret(m[1], 12)) {
    state.emit('SECRET', BEARER_TOKEN.lastIndex - m[1].length, BEARER_TOKEN.lastIndex);
  }
}

/** Anything but white space, quotes and the punctuation that ends a value in code or a URL. */
function isValueChar(c: number): boolean {
  if (c <= 0x20) return false;
  switch (c) {
    case 0x22: // "
    case 0x27: // '
    case 0x60: // `
    case 0x2c: // ,
    case 0x3b: // ;
    case 0x26: // &
    case 0x3c: // <
    case 0x3e: // >
    case 0x28: // (
    case 0x29: // )
    case 0x5b: // [
    case 0x5d: // ]
    case 0x7b: // {
    case 0x7d: // }
    case 0x5c: // \
    case 0x7c: // |
      return false;
    default:
      return true;
  }
}
