import type { ScanState, ShapeTrigger } from '../scan-state.js';
import { codeAt, isAlnum, isDigit, isLetter, isWordChar } from '../text-chars.js';

/** A PEM block's body is at most this long (an 8192-bit RSA key is about 6.5 KB). */
const MAX_PEM_BODY = 64 * 1024;

// Each token's body is bounded; the lookahead refuses a token that goes on past the bound.
const AWS_ACCESS_KEY_ID = /(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/y;
const GITHUB_TOKEN = /(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,251})(?![\w])/y;
const SLACK_TOKEN = /xox[abprs]-[A-Za-z0-9-]{10,250}(?![A-Za-z0-9-])/y;
/** OpenAI-style (sk-..., sk-proj-...) and Anthropic-style (sk-ant-...) API keys. */
const SK_KEY = /sk-[A-Za-z0-9_-]{20,300}(?![A-Za-z0-9_-])/y;
/** A JWT: three base64url segments, the first a JSON header (`{"` is `eyJ`). */
const JWT =
  /eyJ[A-Za-z0-9_-]{5,2000}\.[A-Za-z0-9_-]{2,8000}\.[A-Za-z0-9_-]{0,2000}(?![A-Za-z0-9_-]|\.[A-Za-z0-9_-])/y;
const PEM_BEGIN = /-----BEGIN (?:[A-Z0-9]{1,20} ){0,4}PRIVATE KEY(?: BLOCK)?-----/y;
const PEM_END = /-----END (?:[A-Z0-9]{1,20} ){0,4}PRIVATE KEY(?: BLOCK)?-----/y;

/**
 * Credentials recognisable by their own shape: AWS access key ids (AKIA/ASIA and 16), GitHub
 * tokens (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_), Slack tokens (xoxa/b/p/r/s-), OpenAI- and
 * Anthropic-style keys (sk-, sk-proj-, sk-ant-), JWTs, and PEM private keys (BEGIN ... PRIVATE
 * KEY through END; without an END, the header and the base64 lines after it). Each must start
 * a word. The sweep is triggered on the prefix's rarest character (`K`, `_`, `-`, `J`), not on
 * its first: an `e` or an `s` in every other word would cost more than all the rest.
 */
export const secretTokenTriggers: readonly ShapeTrigger[] = [
  {
    types: ['SECRET'],
    chars: 'KS',
    when: '(?<=A[KS])(?=IA)',
    handle: token(AWS_ACCESS_KEY_ID, 1),
  },
  { types: ['SECRET'], chars: '_', when: '(?<=gh[pousr]_)', handle: token(GITHUB_TOKEN, 3) },
  {
    types: ['SECRET'],
    chars: '_',
    when: '(?<=github_)(?=pat_)',
    handle: token(GITHUB_TOKEN, 6),
  },
  { types: ['SECRET'], chars: '-', when: '(?<=xox[abprs]-)', handle: token(SLACK_TOKEN, 4) },
  {
    types: ['SECRET'],
    chars: '-',
    when: '(?<=sk-)',
    handle: token(SK_KEY, 2, hasLetterAndDigit),
  },
  { types: ['SECRET'], chars: 'J', when: '(?<=eyJ)', handle: token(JWT, 2) },
  { types: ['SECRET'], chars: '-', when: '(?=----BEGIN )', handle: privateKey },
];

/** A token whose trigger character is `offset` characters into it. */
function token(shape: RegExp, offset: number, accept: (value: string) => boolean = () => true) {
  return (state: ScanState, at: number): number => {
    const { text } = state;
    const start = at - offset;
    if (start < 0 || isWordChar(codeAt(text, start - 1))) return at + 1;
    shape.lastIndex = start;
    if (shape.test(text) && accept(text.slice(start, shape.lastIndex))) {
      state.emit('SECRET', start, shape.lastIndex);
      return shape.lastIndex;
    }
    return at + 1;
  };
}

/** Random keys have both; `sk-some-long-hyphenated-name` does not. */
function hasLetterAndDigit(value: string): boolean {
  let letter = false;
  let digit = false;
  for (let i = 3; i < value.length && !(letter && digit); i++) {
    const c = value.charCodeAt(i);
    letter ||= isLetter(c);
    digit ||= isDigit(c);
  }
  return letter && digit;
}

function privateKey(state: ScanState, at: number): number {
  const { text } = state;
  PEM_BEGIN.lastIndex = at;
  if (!PEM_BEGIN.test(text)) return at + 1;
  const headerEnd = PEM_BEGIN.lastIndex;
  const endAt = nextPemEnd(state, headerEnd);
  if (endAt >= 0 && endAt - headerEnd <= MAX_PEM_BODY) {
    PEM_END.lastIndex = endAt;
    if (PEM_END.test(text)) {
      state.emit('SECRET', at, PEM_END.lastIndex);
      return PEM_END.lastIndex;
    }
  }
  let end = headerEnd;
  while (end < text.length && end - headerEnd < MAX_PEM_BODY && isPemBody(text.charCodeAt(end))) {
    end++;
  }
  state.emit('SECRET', at, end);
  return end;
}

/**
 * The first `-----END ` at or after `from`, remembered for the scan: a text with many BEGINs and
 * no END is searched once, not once per BEGIN.
 */
function nextPemEnd(state: ScanState, from: number): number {
  const known = state.pemEndFrom >= 0 && state.pemEndFrom <= from;
  if (known && (state.pemEndAt === -1 || state.pemEndAt >= from)) return state.pemEndAt;
  state.pemEndFrom = from;
  state.pemEndAt = state.text.indexOf('-----END ', from);
  return state.pemEndAt;
}

function isPemBody(c: number): boolean {
  // base64 and line breaks
  return isAlnum(c) || c === 0x2b || c === 0x2f || c === 0x3d || c === 0x0a || c === 0x0d;
}
