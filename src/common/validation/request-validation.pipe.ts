import { type ArgumentMetadata, Injectable, type PipeTransform, type Type } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { type ValidationError, type ValidatorOptions, validateSync } from 'class-validator';
import { ErrorCode } from '../errors/error-code.js';
import { GatewayError } from '../errors/gateway-error.js';

const VALIDATOR_OPTIONS: ValidatorOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  stopAtFirstError: true,
  validationError: { target: false, value: false },
};

const PRIMITIVES: readonly unknown[] = [String, Boolean, Number, Array, Object];

/**
 * Validates request bodies against their class-validator DTOs, synchronously: every validator
 * here is synchronous, and Nest's `ValidationPipe` runs the async `validate` (a promise per
 * constraint), which cost a third of the gateway's throughput in `npm run bench`.
 *
 * Failures are contract errors: an unknown top-level field is `unsupported_capability` naming it
 * (never silently dropped, contract 4.2); anything else is `validation_error` with `param` set to
 * the offending path, e.g. `messages[0].role`.
 */
@Injectable()
export class RequestValidationPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const metatype = metadata.metatype as Type<object> | undefined;
    if (metadata.type !== 'body' || !metatype || PRIMITIVES.includes(metatype)) return value;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new GatewayError(ErrorCode.InvalidRequest, 'The request body must be a JSON object.');
    }
    const instance = plainToInstance(metatype, value);
    const errors = validateSync(instance, VALIDATOR_OPTIONS);
    if (errors.length > 0) throw toGatewayError(errors);
    return instance;
  }
}

export function toGatewayError(errors: ValidationError[]): GatewayError {
  const first = errors[0];
  if (!first) return new GatewayError(ErrorCode.ValidationError, 'The request is invalid.');
  const { error, path } = deepest(first, []);
  const param = path.length > 0 ? formatPath(path) : null;
  const constraints = error.constraints ?? {};
  if ('whitelistValidation' in constraints) {
    if (path.length === 1) {
      return new GatewayError(
        ErrorCode.UnsupportedCapability,
        `The field '${path[0]}' is not supported by this gateway.`,
        { param },
      );
    }
    return new GatewayError(ErrorCode.ValidationError, `Unknown field '${param}'.`, { param });
  }
  if ('unknownValue' in constraints || param === null) {
    return new GatewayError(ErrorCode.InvalidRequest, 'The request body must be a JSON object.');
  }
  const message = Object.values(constraints)[0] ?? `${param} is invalid`;
  return new GatewayError(ErrorCode.ValidationError, message.replace(/^\S+/, param), { param });
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

function formatPath(path: string[]): string {
  return path.reduce(
    (out, segment) =>
      /^\d+$/.test(segment) ? `${out}[${segment}]` : out ? `${out}.${segment}` : segment,
    '',
  );
}
