import type { ScanState, ShapeTrigger } from '../scan-state.js';
import { codeAt, isAlnum } from '../text-chars.js';

const AT = 0x40;
const DASH = 0x2d;
const DOT = 0x2e;
/** RFC 5321: a local part has at most 64 characters. */
const MAX_LOCAL = 64;

/**
 * The domain after `@`: dot-separated labels (letters, digits, inner hyphens, at most 63
 * characters each, at most 10 labels) ending in an alphabetic top-level label, not followed by
 * more of an address (a label, or another `@`). Every quantifier is bounded, so a failing
 * attempt costs a constant.
 */
const DOMAIN =
  /(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,10}[A-Za-z]{2,24}(?![A-Za-z0-9@_-]|\.[A-Za-z0-9])/y;

/**
 * Email addresses: an RFC 5322 dot-atom local part and a dotted domain. The local part is read
 * backwards from `@` over letters, digits and `. _ % + -` (no leading, trailing or double dot).
 * The rarer atext symbols (`= / ' { } | ...`) are left out on purpose: in prompts they are far
 * more often the syntax around an address (`email='bob@...'`, `?to=bob@...`) than a part of it.
 */
export const emailTriggers: readonly ShapeTrigger[] = [
  { types: ['EMAIL'], chars: '@', when: '(?=[A-Za-z0-9])', handle: handleAt },
];

function handleAt(state: ScanState, at: number): number {
  const { text } = state;
  // A domain has a dot after its first label: most `@` that are not addresses fail here cheaply.
  let i = at + 1;
  while (i - at <= 64 && (isAlnum(codeAt(text, i)) || codeAt(text, i) === DASH)) i++;
  if (codeAt(text, i) !== DOT) return at + 1;
  const start = localPartStart(text, at);
  if (start < 0) return at + 1;
  DOMAIN.lastIndex = at + 1;
  if (DOMAIN.test(text)) state.emit('EMAIL', start, DOMAIN.lastIndex);
  return at + 1;
}

/** Where the local part before the `@` at `at` starts, or -1 if there is none. */
function localPartStart(text: string, at: number): number {
  if (codeAt(text, at - 1) === DOT) return -1;
  let i = at;
  // One character more than a local part may have tells a longer run (not an address).
  while (i > 0 && at - i <= MAX_LOCAL && isLocalChar(text.charCodeAt(i - 1))) {
    if (text.charCodeAt(i - 1) === DOT && text.charCodeAt(i) === DOT) break;
    i--;
  }
  if (at - i > MAX_LOCAL) return -1;
  // A dot that ends a sentence, or the second of a double dot, is not part of the address.
  while (i < at && text.charCodeAt(i) === DOT) i++;
  if (i === at || codeAt(text, i - 1) === AT) return -1;
  return i;
}

function isLocalChar(c: number): boolean {
  // letters, digits, and . _ % + -
  return isAlnum(c) || c === 0x2e || c === 0x5f || c === 0x25 || c === 0x2b || c === 0x2d;
}
