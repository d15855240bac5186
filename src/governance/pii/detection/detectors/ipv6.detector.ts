import { isIpv6 } from '../validators/ip.validator.js';
import type { ScanState, ShapeTrigger } from '../scan-state.js';
import { codeAt, isHexDigit, isWordChar } from '../text-chars.js';

const DOT = 0x2e;
const COLON = 0x3a;
/** The longest IPv6 text form: eight groups of four (39), or six and an IPv4 (45). */
const MAX_LENGTH = 45;

/**
 * IPv6 addresses, found at a colon that another colon follows within five characters. The
 * token around it (hex digits, colons, dots) is read once; a colon inside a token already read
 * is skipped, so a long run such as 1:1:1:... costs one pass. Times (12:30:45) and MAC addresses
 * are not valid IPv6 forms and are not reported.
 */
export const ipv6Triggers: readonly ShapeTrigger[] = [
  { types: ['IP_ADDRESS'], chars: ':', when: '(?=[0-9A-Fa-f]{0,4}:)', handle: handleColon },
];

function handleColon(state: ScanState, at: number): number {
  if (at < state.ipv6Until) return at + 1;
  const { text } = state;
  let start = at;
  while (start > 0 && at - start <= MAX_LENGTH && isTokenChar(text.charCodeAt(start - 1))) {
    start--;
  }
  let end = at;
  while (end < text.length && isTokenChar(text.charCodeAt(end))) end++;
  state.ipv6Until = end;
  // A trailing dot ends the sentence; a trailing single colon ends a label ("address fe80::1:").
  let valueEnd = end;
  if (codeAt(text, valueEnd - 1) === DOT) valueEnd--;
  if (codeAt(text, valueEnd - 1) === COLON && codeAt(text, valueEnd - 2) !== COLON) valueEnd--;
  const before = codeAt(text, start - 1);
  const isolated =
    !isWordChar(before) && before !== COLON && before !== DOT && !isWordChar(codeAt(text, end));
  if (isolated && valueEnd - start <= MAX_LENGTH && isIpv6(text.slice(start, valueEnd))) {
    state.emit('IP_ADDRESS', start, valueEnd);
    return end;
  }
  // A token longer than any address (1:1:1:..., a hex dump) holds nothing to find: skip it.
  return end - start > MAX_LENGTH ? end : at + 1;
}

function isTokenChar(c: number): boolean {
  return isHexDigit(c) || c === COLON || c === DOT;
}
