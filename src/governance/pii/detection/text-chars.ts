/** Character tests on UTF-16 code units, for the detectors' hand-written scans. */

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}

export function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

export function isAlnum(c: number): boolean {
  return isDigit(c) || isLetter(c);
}

/** `\w`: letter, digit or underscore. */
export function isWordChar(c: number): boolean {
  return isAlnum(c) || c === 95;
}

export function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** The end of the run of ASCII digits starting at `from`, read up to `limit`. */
export function digitRunEnd(text: string, from: number, limit = text.length): number {
  const stop = Math.min(limit, text.length);
  let i = from;
  while (i < stop && isDigit(text.charCodeAt(i))) i++;
  return i;
}

/** The code unit at `i`, or -1 outside the text (so tests against it simply fail). */
export function codeAt(text: string, i: number): number {
  return i >= 0 && i < text.length ? text.charCodeAt(i) : -1;
}
