import type { Type } from '@nestjs/common';
import type { z } from 'zod';
import { CheckBodyWith } from './body-check.decorator.js';
import type { Json, ObjectCheck } from './object-shape.js';
import { ValidationFailure } from './validation-failure.js';

/**
 * A zod schema as the request pipe's body check: the first issue as a {@link ValidationFailure},
 * so bodies of the ingresses that speak another API (Messages, Responses) are refused with the
 * same codes and `param` paths as chat bodies (an unknown top-level field is
 * `unsupported_capability` naming it; anything else `validation_error`).
 */
export function zodCheck(schema: z.ZodType): ObjectCheck {
  return (object: Json) => {
    const result = schema.safeParse(object);
    if (result.success) return undefined;
    const issue = result.error.issues[0];
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      return ValidationFailure.unknownField(issue.keys[0]).within(...path);
    }
    if (path.length === 0) return ValidationFailure.here(`body ${issue.message}`);
    return ValidationFailure.invalid(
      path[path.length - 1],
      `${path.at(-1)} ${lower(issue.message)}`,
    ).within(...path.slice(0, -1));
  };
}

function lower(message: string): string {
  return message.charAt(0).toLowerCase() + message.slice(1);
}

/**
 * A body class for `@Governed` whose instances are the schema's type: the pipeline validates with
 * the check, and hands the body on as sent.
 */
export function zodBody<T extends object>(name: string, schema: z.ZodType): Type<T> {
  class Body {}
  Object.defineProperty(Body, 'name', { value: name });
  CheckBodyWith(zodCheck(schema))(Body);
  return Body as Type<T>;
}
