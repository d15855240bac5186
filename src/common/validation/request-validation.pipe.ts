import { type ArgumentMetadata, Injectable, type PipeTransform, type Type } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { type ValidationError, type ValidatorOptions, validateSync } from 'class-validator';
import { ErrorCode } from '../errors/error-code.js';
import { GatewayError } from '../errors/gateway-error.js';
import { bodyCheckOf } from './body-check.decorator.js';
import type { Json } from './object-shape.js';
import {
  assertNestingWithinLimit,
  containsSkippedKey,
  nestedTooDeep,
  scanBody,
} from './body-scan.js';
import { ValidationFailure, formatPath } from './validation-failure.js';

const VALIDATOR_OPTIONS: ValidatorOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  stopAtFirstError: true,
  validationError: { target: false, value: false },
};

const PRIMITIVES: readonly unknown[] = [String, Boolean, Number, Array, Object];

/**
 * Validates request bodies against their DTOs, synchronously: Nest's `ValidationPipe` runs the
 * async `validate` (a promise per constraint), which cost a third of the gateway's throughput in
 * `npm run bench`.
 *
 * A DTO with a hand-written check (`@CheckBodyWith`, the chat and embeddings bodies) is validated
 * by it, and a valid body is handed on as parsed, without a copy: class-validator and
 * class-transformer took about a fifth of the gateway's CPU there. Every other DTO (and a body
 * holding a key class-transformer skips, such as `constructor`) goes through class-validator.
 *
 * Failures are contract errors: an unknown top-level field is `unsupported_capability` naming it
 * (never silently dropped, contract 4.2); anything else is `validation_error` with `param` set to
 * the offending path, e.g. `messages[0].role`. A body nested deeper than `MAX_NESTING_DEPTH` is
 * refused first, as `validation_error` on its top-level field: every walk after that recurses.
 */
@Injectable()
export class RequestValidationPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const metatype = metadata.metatype as Type<object> | undefined;
    if (metadata.type !== 'body' || !metatype || PRIMITIVES.includes(metatype)) return value;
    // A governed route's body was validated by the pipeline's validation stage, once.
    if (isValidatedBody(value, metatype)) return value;
    return validateRequestBody(metatype, value);
  }
}

/** Bodies {@link validateRequestBody} produced or passed, with the DTO they were checked against. */
const VALIDATED = new WeakMap<object, Type<object>>();

/** Whether {@link validateRequestBody} produced (or passed) this very object for this DTO. */
export function isValidatedBody(value: unknown, dto: Type<object>): boolean {
  return typeof value === 'object' && value !== null && VALIDATED.get(value) === dto;
}

/**
 * Validates a request body against its DTO, as the pipe does, and remembers the result so the
 * pipe hands it on untouched.
 * @throws GatewayError `invalid_request`, `validation_error`, `unsupported_capability`
 */
export function validateRequestBody<T extends object>(dto: Type<T>, value: unknown): T {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new GatewayError(ErrorCode.InvalidRequest, 'The request body must be a JSON object.');
  }
  // One walk: the depth limit before anything recurses, and whether class-transformer would
  // choke on a key (see classValidate).
  const scan = scanBody(value);
  if (scan.tooDeep !== undefined) throw nestedTooDeep(scan.tooDeep);
  const check = bodyCheckOf(dto);
  let body: T;
  if (check === undefined) {
    body = classValidate(dto, value, scan.skippedKey);
  } else {
    const failure = check(value as Json);
    if (failure) throw failure.toGatewayError();
    body = withoutNullFields(value) as T;
  }
  VALIDATED.set(body, dto);
  return body;
}

/**
 * The bodies with a hand-written check are OpenAI's shapes, where a top-level `null` means the
 * field is not set (`"tools": null`): such fields are removed, so that nothing after validation
 * has to tell null from absent. In place: the body was parsed for this request alone.
 */
function withoutNullFields(body: object): object {
  for (const key of Object.keys(body)) {
    if ((body as Record<string, unknown>)[key] === null)
      delete (body as Record<string, unknown>)[key];
  }
  return body;
}

/**
 * The class-validator path: a DTO instance built by class-transformer, checked by its decorators,
 * for a value not nested deeper than `MAX_NESTING_DEPTH`.
 * @throws GatewayError as {@link toGatewayError} renders the first failure, or naming the depth
 *   limit
 */
export function validateWithClassValidator<T extends object>(dto: Type<T>, value: object): T {
  assertNestingWithinLimit(value);
  return classValidate(dto, value, containsSkippedKey(value));
}

/**
 * class-transformer and class-validator both recurse: only for a value of bounded depth.
 * class-transformer leaves out keys named after `Object.prototype` members and throws on some
 * (an own `constructor` in a free-form object): a body holding one is refused by name rather
 * than silently changed or failed as a 500.
 */
function classValidate<T extends object>(dto: Type<T>, value: object, skippedKey: boolean): T {
  if (skippedKey) throw builtInKey(value);
  const instance = plainToInstance(dto, value);
  const errors = validateSync(instance, VALIDATOR_OPTIONS);
  if (errors.length > 0) throw toGatewayError(errors);
  return instance;
}

/** The refusal of a body holding a key such as `constructor` or `__proto__`, naming where. */
function builtInKey(value: object): GatewayError {
  const path = builtInKeyPath(value) ?? [];
  // The message starts with a placeholder that toGatewayError replaces with the whole path.
  return new ValidationFailure(
    path,
    'key is named after a built-in object property (such as constructor), which is not accepted here',
  ).toGatewayError();
}

/** The path of the first key named after an `Object.prototype` member (the walk is bounded). */
function builtInKeyPath(value: object): string[] | undefined {
  const stack: { item: object; path: string[] }[] = [{ item: value, path: [] }];
  while (stack.length > 0) {
    const { item, path } = stack.pop()!;
    for (const [key, child] of Object.entries(item as Record<string, unknown>)) {
      const here = [...path, key];
      if (!Array.isArray(item) && BUILT_IN_KEYS.has(key)) return here;
      if (typeof child === 'object' && child !== null) stack.push({ item: child, path: here });
    }
  }
  return undefined;
}

const BUILT_IN_KEYS: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

export function toGatewayError(errors: ValidationError[]): GatewayError {
  const first = errors[0];
  if (!first) return new GatewayError(ErrorCode.ValidationError, 'The request is invalid.');
  const { error, path } = deepest(first, []);
  const constraints = error.constraints ?? {};
  if ('whitelistValidation' in constraints) {
    return new ValidationFailure(path, undefined).toGatewayError();
  }
  if ('unknownValue' in constraints || path.length === 0) {
    return new GatewayError(ErrorCode.InvalidRequest, 'The request body must be a JSON object.');
  }
  const message = Object.values(constraints)[0] ?? `${formatPath(path)} is invalid`;
  return new ValidationFailure(path, message).toGatewayError();
}

function deepest(
  error: ValidationError,
  path: string[],
): { error: ValidationError; path: string[] } {
  const here = error.property ? [...path, error.property] : path;
  const child = error.children?.[0];
  if (!error.constraints && child) return deepest(child, here);
  return { error, path: here };
}
