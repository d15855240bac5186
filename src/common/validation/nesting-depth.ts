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
 * The first top-level field under which `body` nests objects and arrays more than `limit` levels
 * deep, or `undefined`. Iterative, so no body, however deep, can exhaust the stack here.
 */
export function fieldNestedTooDeep(body: object, limit = MAX_NESTING_DEPTH): string | undefined {
  for (const [field, value] of Object.entries(body)) {
    // The body is level 1, so its fields' values are level 2.
    const pending: Array<[unknown, number]> = [[value, 2]];
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      const [item, depth] = next;
      if (typeof item !== 'object' || item === null) continue;
      if (depth > limit) return field;
      for (const child of Array.isArray(item) ? (item as unknown[]) : Object.values(item)) {
        if (typeof child === 'object' && child !== null) pending.push([child, depth + 1]);
      }
    }
  }
  return undefined;
}

/**
 * Refuses a body nested deeper than {@link MAX_NESTING_DEPTH}, before anything walks it
 * recursively.
 * @throws GatewayError `validation_error` with `param` set to the top-level field, naming the limit
 */
export function assertNestingWithinLimit(body: object): void {
  const field = fieldNestedTooDeep(body);
  if (field === undefined) return;
  throw new GatewayError(
    ErrorCode.ValidationError,
    `${field} is nested too deeply: a request body may nest objects and arrays at most ` +
      `${MAX_NESTING_DEPTH} levels deep.`,
    { param: field },
  );
}
