import { Injectable, type PipeTransform, type Type } from '@nestjs/common';
import { ErrorCode } from '../common/errors/error-code.js';
import { GatewayError } from '../common/errors/gateway-error.js';
import { validateWithClassValidator } from '../common/validation/request-validation.pipe.js';

/**
 * Validates a plain object against a class-validator DTO with the rules of the global request
 * pipe, and returns the DTO instance.
 * @throws GatewayError `validation_error` with `param` (or `unsupported_capability` naming an
 *   unknown field), exactly as the global pipe reports a bad body
 */
export function validateInput<T extends object>(dto: Type<T>, value: object): T {
  // Path and query objects have a null prototype; class-transformer wants a plain one.
  return validateWithClassValidator(dto, { ...value });
}

/**
 * Validates what the global request pipe leaves alone: path parameters, query strings, and
 * optional bodies (the global pipe requires a body when the parameter is typed).
 *
 * Use it with an explicit DTO, e.g. `@Param(new AdminInputPipe(TenantIdParams))`.
 */
@Injectable()
export class AdminInputPipe<T extends object> implements PipeTransform<unknown, T> {
  constructor(
    private readonly dto: Type<T>,
    private readonly options: { optionalBody?: boolean } = {},
  ) {}

  transform(value: unknown): T {
    const input = value === undefined && this.options.optionalBody ? {} : value;
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new GatewayError(ErrorCode.InvalidRequest, 'The request body must be a JSON object.');
    }
    return validateInput(this.dto, input);
  }
}
