import { ErrorCode } from '../errors/error-code.js';
import { GatewayError } from '../errors/gateway-error.js';

/**
 * How deeply a request body may nest objects and arrays, the body itself being level 1. Far more
 * than any real request needs (a tool's JSON schema spends two levels per nested object and
 * rarely nests ten), and far less than what would overflow the recursive walks that run after
 * validation: class-transformer, class-validator, the hand-written checks, provider mappers.
 */
export const MAX_NESTING_DEPTH = 64;

/**
 * The keys class-transformer leaves out when it copies a body into DTO instances, at any depth:
 * `__proto__`, `constructor` and every other property of `Object.prototype` (`toString`,
 * `valueOf`, `hasOwnProperty`, ...). That is its guard against prototype pollution.
 */
const SKIPPED_KEYS: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

/** What one walk over a parsed JSON body found. */
export interface BodyScan {
  /** The first top-level field under which the body nests deeper than the limit. */
  readonly tooDeep?: string;
  /** Whether a key class-transformer skips appears anywhere the walk went. */
  readonly skippedKey: boolean;
}

const CLEAN: BodyScan = Object.freeze({ skippedKey: false });
const SKIPPED: BodyScan = Object.freeze({ skippedKey: true });

/**
 * One iterative walk over a parsed JSON object or array (so no body, however deep, can exhaust
 * the stack here) that finds both what validation must know before anything recurses into it:
 * a field nested deeper than `limit`, and a key class-transformer would skip. The walk stops at
 * the first field too deep.
 */
export function scanBody(body: object, limit = MAX_NESTING_DEPTH): BodyScan {
  let skippedKey = false;
  const values: object[] = [];
  const depths: number[] = [];
  for (const [field, value] of Object.entries(body as Record<string, unknown>)) {
    if (SKIPPED_KEYS.has(field)) skippedKey = true;
    if (typeof value !== 'object' || value === null) continue;
    // The body is level 1, so its fields' values are level 2.
    values.push(value);
    depths.push(2);
    while (values.length > 0) {
      const item = values.pop()!;
      const depth = depths.pop()!;
      if (depth > limit) return { tooDeep: field, skippedKey };
      // Object.entries, not indexing: JSON.parse makes `__proto__` an own key, which `item[key]`
      // would read as the prototype.
      for (const [key, child] of Object.entries(item as Record<string, unknown>)) {
        if (!skippedKey && !Array.isArray(item) && SKIPPED_KEYS.has(key)) skippedKey = true;
        if (typeof child === 'object' && child !== null) {
          values.push(child);
          depths.push(depth + 1);
        }
      }
    }
  }
  return skippedKey ? SKIPPED : CLEAN;
}

/** The first top-level field under which `body` nests deeper than `limit`, or `undefined`. */
export function fieldNestedTooDeep(body: object, limit = MAX_NESTING_DEPTH): string | undefined {
  return scanBody(body, limit).tooDeep;
}

/**
 * Whether a parsed JSON value holds a key class-transformer skips anywhere. Such a body is rare
 * and goes through class-validator, so that what is dropped, accepted or refused stays exactly as
 * before (an own `constructor` in a free-form object even makes class-transformer throw).
 */
export function containsSkippedKey(value: unknown): boolean {
  return typeof value === 'object' && value !== null && scanBody(value, Infinity).skippedKey;
}

/** The refusal of a body nested deeper than {@link MAX_NESTING_DEPTH} under `field`. */
export function nestedTooDeep(field: string): GatewayError {
  return new GatewayError(
    ErrorCode.ValidationError,
    `${field} is nested too deeply: a request body may nest objects and arrays at most ` +
      `${MAX_NESTING_DEPTH} levels deep.`,
    { param: field },
  );
}

/**
 * Refuses a body nested deeper than {@link MAX_NESTING_DEPTH}, before anything walks it
 * recursively.
 * @throws GatewayError `validation_error` with `param` set to the top-level field, naming the limit
 */
export function assertNestingWithinLimit(body: object): void {
  const field = fieldNestedTooDeep(body);
  if (field !== undefined) throw nestedTooDeep(field);
}
