import { ErrorCode } from '../errors/error-code.js';
import { GatewayError } from '../errors/gateway-error.js';

/**
 * The first problem found in a request body, in the terms class-validator reports it: a path of
 * property names and array indices (outermost first), and the failed constraint's message, which
 * starts with the property's own name (`role must be one of ...`). Both the class-validator path
 * and the hand-written body checks end here, so they render errors the same way.
 */
export class ValidationFailure {
  /**
   * @param path property names and array indices (as strings), outermost first
   * @param message the constraint's message; `undefined` when the last segment of `path` names a
   *   field the object does not declare
   */
  constructor(
    readonly path: string[],
    readonly message: string | undefined,
  ) {}

  /** `key` is not a field of the object it was found in. */
  static unknownField(key: string): ValidationFailure {
    return new ValidationFailure([key], undefined);
  }

  /** A constraint on `property` failed; `message` starts with `property`. */
  static invalid(property: string, message: string): ValidationFailure {
    return new ValidationFailure([property], message);
  }

  /** A constraint on the value itself failed (an array element); the caller adds the path. */
  static here(message: string): ValidationFailure {
    return new ValidationFailure([], message);
  }

  /** Prefixes the path with the segments that lead to the object the failure was found in. */
  within(...segments: string[]): this {
    this.path.unshift(...segments);
    return this;
  }

  /**
   * The contract's error: an unknown top-level field is `unsupported_capability` naming it (never
   * silently dropped, contract 4.2); an unknown nested field or a failed constraint is
   * `validation_error` with `param` set to the path, e.g. `messages[0].role`, which also replaces
   * the property name at the start of the message.
   */
  toGatewayError(): GatewayError {
    const { path, message } = this;
    const param = path.length > 0 ? formatPath(path) : null;
    if (message === undefined) {
      if (path.length === 1) {
        return new GatewayError(
          ErrorCode.UnsupportedCapability,
          `The field '${path[0]}' is not supported by this gateway.`,
          { param },
        );
      }
      return new GatewayError(ErrorCode.ValidationError, `Unknown field '${param}'.`, { param });
    }
    if (param === null) {
      return new GatewayError(ErrorCode.InvalidRequest, 'The request body must be a JSON object.');
    }
    return new GatewayError(ErrorCode.ValidationError, message.replace(/^\S+/, param), { param });
  }
}

/** `['messages', '0', 'role']` as `messages[0].role`. */
export function formatPath(path: readonly string[]): string {
  return path.reduce(
    (out, segment) =>
      /^\d+$/.test(segment) ? `${out}[${segment}]` : out ? `${out}.${segment}` : segment,
    '',
  );
}
