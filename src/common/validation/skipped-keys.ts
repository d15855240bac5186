/**
 * The keys class-transformer leaves out when it copies a body into DTO instances, at any depth:
 * `__proto__`, `constructor` and every other property of `Object.prototype` (`toString`,
 * `valueOf`, `hasOwnProperty`, ...). That is its guard against prototype pollution.
 */
const SKIPPED_KEYS: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

/**
 * Whether a parsed JSON value holds one of those keys anywhere. Such a body is rare and goes
 * through class-validator, so that what is dropped, accepted or refused stays exactly as before
 * (an own `constructor` in a free-form object even makes class-transformer throw). Iterative, so
 * no value, however deep, can exhaust the stack here.
 */
export function containsSkippedKey(value: unknown): boolean {
  const pending: unknown[] = [value];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (typeof next !== 'object' || next === null) continue;
    if (Array.isArray(next)) {
      for (const item of next as unknown[]) pending.push(item);
      continue;
    }
    for (const [key, item] of Object.entries(next)) {
      if (SKIPPED_KEYS.has(key)) return true;
      pending.push(item);
    }
  }
  return false;
}
