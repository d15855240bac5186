/**
 * The keys class-transformer leaves out when it copies a body into DTO instances, at any depth:
 * `__proto__`, `constructor` and every other property of `Object.prototype` (`toString`,
 * `valueOf`, `hasOwnProperty`, ...). That is its guard against prototype pollution.
 */
const SKIPPED_KEYS: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

/**
 * Whether a parsed JSON value holds one of those keys anywhere. Such a body is rare and goes
 * through class-validator, so that what is dropped, accepted or refused stays exactly as before
 * (an own `constructor` in a free-form object even makes class-transformer throw).
 */
export function containsSkippedKey(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) {
    for (const item of value) if (containsSkippedKey(item)) return true;
    return false;
  }
  const record = value as Readonly<Record<string, unknown>>;
  for (const key of Object.keys(record)) {
    if (SKIPPED_KEYS.has(key) || containsSkippedKey(record[key])) return true;
  }
  return false;
}
