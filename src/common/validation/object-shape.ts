import { ValidationFailure } from './validation-failure.js';

/**
 * Hand-written equivalents of the class-validator decorators the hot request DTOs use, for
 * bodies validated on every request. A DTO becomes a table, `objectShape(name, { field: rule })`,
 * that reads like the class and reports what `validateSync` would with the pipe's options
 * (whitelist, forbidNonWhitelisted, stopAtFirstError):
 * - fields not in the table are reported first, in the body's key order;
 * - then the fields in table order (a class's declaration order), each by its first failing rule;
 * - a field's rules run in the order listed. class-validator runs a property's decorators bottom
 *   up (the one nearest the property first), so a table lists the DTO's decorators from the
 *   bottom, and nested validation last, as class-validator runs it after the others.
 * Messages are class-validator's default (or the DTO's own) messages, token for token.
 * Nested checks recurse as the body nests: the request pipe bounds that depth first.
 */

export type Json = Readonly<Record<string, unknown>>;

/** A check of one object: the first failure, or `undefined`. */
export type ObjectCheck = (object: Json) => ValidationFailure | undefined;

/** A rule bound to its field: `owner` is the object holding the value. */
type FieldCheck = (value: unknown, owner: Json) => ValidationFailure | undefined;

/** Where a rule is used; rules build their messages once, when the table is built. */
interface Field {
  readonly property: string;
  /** The DTO class name, for `$target` in custom messages. */
  readonly target: string;
}

export type Rule = (field: Field) => FieldCheck;

/** Checks objects against a table of field rules, as `validateSync` checks a DTO instance. */
export function objectShape(target: string, rules: Record<string, Rule>): ObjectCheck {
  const names = Object.keys(rules);
  const declared: ReadonlySet<string> = new Set(names);
  const checks = names.map((property) => rules[property]({ property, target }));
  return (object) => {
    for (const key of Object.keys(object)) {
      if (!declared.has(key)) return ValidationFailure.unknownField(key);
    }
    for (let i = 0; i < checks.length; i++) {
      const failure = checks[i](object[names[i]], object);
      if (failure) return failure;
    }
    return undefined;
  };
}

/** Rules in order; the first failure wins (`stopAtFirstError`). */
export function all(...rules: Rule[]): Rule {
  return (field) => {
    const checks = rules.map((rule) => rule(field));
    if (checks.length === 1) return checks[0];
    return (value, owner) => {
      for (const check of checks) {
        const failure = check(value, owner);
        if (failure) return failure;
      }
      return undefined;
    };
  };
}

/** `@ValidateIf(condition)`: the rules apply only when `condition(owner)` holds. */
export function validateIf(condition: (owner: Json) => boolean, ...rules: Rule[]): Rule {
  return (field) => {
    const check = all(...rules)(field);
    return (value, owner) => (condition(owner) ? check(value, owner) : undefined);
  };
}

/** `@IsOptional()`: null and undefined skip the rules. */
export function optional(...rules: Rule[]): Rule {
  return (field) => {
    const check = all(...rules)(field);
    return (value, owner) =>
      value === null || value === undefined ? undefined : check(value, owner);
  };
}

type Message = (property: string, target: string) => string;

/** One constraint: `test` passes, or the field fails with the message. */
function constraint(test: (value: unknown) => boolean, message: Message): Rule {
  return ({ property, target }) => {
    const text = message(property, target);
    return (value) => (test(value) ? undefined : ValidationFailure.invalid(property, text));
  };
}

/** A DTO's own message (`$property`, `$target`; none here uses `$value` or `$constraintN`). */
function own(template: string): Message {
  return (property, target) =>
    template.replace(/\$property/g, property).replace(/\$target/g, target);
}

export const isString = (message?: string): Rule =>
  constraint((v) => typeof v === 'string', message ? own(message) : (p) => `${p} must be a string`);

export const isBoolean = (): Rule =>
  constraint(
    (v) => typeof v === 'boolean',
    (p) => `${p} must be a boolean value`,
  );

export const isInt = (): Rule =>
  constraint(
    (v) => Number.isInteger(v),
    (p) => `${p} must be an integer number`,
  );

/** `@IsNumber()` with its defaults: NaN and the infinities fail. */
export const isNumber = (): Rule =>
  constraint(
    (v) => Number.isFinite(v),
    (p) => `${p} must be a number conforming to the specified constraints`,
  );

export const min = (bound: number): Rule =>
  constraint(
    (v) => typeof v === 'number' && v >= bound,
    (p) => `${p} must not be less than ${bound}`,
  );

export const max = (bound: number): Rule =>
  constraint(
    (v) => typeof v === 'number' && v <= bound,
    (p) => `${p} must not be greater than ${bound}`,
  );

export const isNotEmpty = (): Rule =>
  constraint(
    (v) => v !== '' && v !== null && v !== undefined,
    (p) => `${p} should not be empty`,
  );

/** `@MaxLength(n)`: counted as validator.js's `isLength` counts (see {@link lengthAtMost}). */
export const maxLength = (limit: number): Rule =>
  constraint(
    (v) => typeof v === 'string' && lengthAtMost(v, limit),
    (p) => `${p} must be shorter than or equal to ${limit} characters`,
  );

export const matches = (pattern: RegExp, message: string): Rule =>
  constraint((v) => typeof v === 'string' && pattern.test(v), own(message));

export const isIn = (values: readonly unknown[]): Rule =>
  constraint(
    (v) => values.includes(v),
    (p) => `${p} must be one of the following values: ${values.join(', ')}`,
  );

export const equals = (expected: string, message?: string): Rule =>
  constraint(
    (v) => v === expected,
    message ? own(message) : (p) => `${p} must be equal to ${expected}`,
  );

export const isObject = (message?: string): Rule =>
  constraint(isPlainObject, message ? own(message) : (p) => `${p} must be an object`);

/** `@IsObject({ each: true, message: '$property must hold only objects' })` on an array. */
export const eachObject = (): Rule =>
  constraint(
    (v) => !Array.isArray(v) || v.every(isPlainObject),
    (p) => `${p} must hold only objects`,
  );

export const isArray = (): Rule =>
  constraint(
    (v) => Array.isArray(v),
    (p) => `${p} must be an array`,
  );

export const arrayMinSize = (size: number): Rule =>
  constraint(
    (v) => Array.isArray(v) && v.length >= size,
    (p) => `${p} must contain at least ${size} elements`,
  );

export const arrayMaxSize = (size: number): Rule =>
  constraint(
    (v) => Array.isArray(v) && v.length <= size,
    (p) => `${p} must contain no more than ${size} elements`,
  );

/**
 * A custom validator (`registerDecorator`): `problem` says what is wrong, and the message is
 * `$property <problem>` with class-validator's token replacement applied to the whole text.
 */
export function custom(problem: (value: unknown, owner: Json) => string | undefined): Rule {
  return ({ property, target }) =>
    (value, owner) => {
      const found = problem(value, owner);
      return found === undefined
        ? undefined
        : ValidationFailure.invalid(
            property,
            specialTokens(`$property ${found}`, value, property, target),
          );
    };
}

/**
 * `@ValidateNested()` as class-validator runs it: undefined passes; an array is validated element
 * by element, nested arrays included; an object by `check`; anything else fails.
 */
export function nested(check: ObjectCheck, options: { each?: boolean } = {}): Rule {
  return ({ property }) => {
    const prefix = options.each ? 'each value in ' : '';
    const message = `${prefix}nested property ${property} must be either object or array`;
    return (value) => nestedValue(value, check, message)?.within(property);
  };
}

function nestedValue(
  value: unknown,
  check: ObjectCheck,
  message: string,
): ValidationFailure | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const failure = nestedValue(value[i], check, message);
      if (failure) return failure.within(String(i));
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null) return check(value as Json);
  return ValidationFailure.here(message);
}

/** class-validator's `isObject`: any non-null object but an array. */
function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * validator.js's `isLength`: a surrogate pair, and a character followed by a variation selector,
 * count as one. The code-unit length is never shorter, so it settles every string within limit.
 */
function lengthAtMost(value: string, limit: number): boolean {
  if (value.length <= limit) return true;
  const sequences = value.match(/[^\uFE0F\uFE0E][\uFE0F\uFE0E]/g)?.length ?? 0;
  const pairs = value.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g)?.length ?? 0;
  return value.length - sequences - pairs <= limit;
}

/** class-validator's `replaceMessageSpecialTokens` for a message without `$constraintN`. */
function specialTokens(message: string, value: unknown, property: string, target: string): string {
  let out = message;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    out = out.replace(/\$value/g, String(value));
  }
  return out.replace(/\$property/g, property).replace(/\$target/g, target);
}

/** class-validator's message for an array holding something other than objects (`[[]]`). */
export const EACH_OBJECT = '$property must hold only objects';
