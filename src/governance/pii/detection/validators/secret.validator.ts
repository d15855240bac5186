/**
 * Whether a keyword-anchored value (`password=...`, `api_key: ...`) looks like a real secret
 * rather than code or a placeholder: long enough, two or more character classes (lower, upper,
 * digit, symbol), not a reference (`$VAR`, `%VAR%`, `process.env.X`), and enough Shannon
 * entropy for its length.
 */
export function looksLikeSecret(value: string, minLength: number): boolean {
  if (value.length < minLength) return false;
  const first = value[0];
  if (first === '$' || first === '%' || first === '@' || first === '#') return false;
  if (DOTTED_IDENTIFIER.test(value)) return false;
  return characterClasses(value) >= 2 && shannonEntropy(value) >= entropyFloor(value.length);
}

/** `process.env.API_KEY`, `os.environ.get`, `this.config.secret`: code, not a value. */
const DOTTED_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+$/;

/** Bits per character required: 2.2 for the shortest values, rising to 3 from 20 characters. */
function entropyFloor(length: number): number {
  return Math.min(3, 0.73 * Math.log2(length));
}

export function characterClasses(value: string): number {
  let lower = 0;
  let upper = 0;
  let digit = 0;
  let other = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 97 && c <= 122) lower = 1;
    else if (c >= 65 && c <= 90) upper = 1;
    else if (c >= 48 && c <= 57) digit = 1;
    else other = 1;
  }
  return lower + upper + digit + other;
}

/** Shannon entropy of the value's characters, in bits per character. */
export function shannonEntropy(value: string): number {
  const counts = new Map<number, number>();
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}
