import { ValidateIf, ValidationOptions, registerDecorator } from 'class-validator';
import { checkCustomPattern } from '../../governance/pii/detection/pii-detector.js';

/*
 * Order of decorators in the admin DTOs: class-validator runs a property's validators from the
 * property outwards (the decorator nearest the property first), and the request pipe stops at the
 * first error. So the type check sits nearest the property and the range checks above it: `limit:
 * "ten"` is reported as not an integer, not as "must not be greater than 100".
 */

/**
 * Validators for admin input shapes class-validator's built-ins cannot express (maps with
 * caller-chosen keys, dates that must lie ahead). Messages start with `$property` so the
 * validation pipe can replace it with the full path of the field.
 */
function define(
  name: string,
  check: (value: unknown) => string | undefined,
  options?: ValidationOptions,
): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value) => check(value) === undefined,
        defaultMessage: (args) => `$property ${(args && check(args.value)) ?? 'is invalid'}`,
      },
    });
  };
}

/** Tenant ids, provider ids: lowercase, digits and dashes, starting with a letter or digit. */
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const SLUG_TEXT = '[a-z0-9][a-z0-9-]{0,62}';

const TAG_KEY = /^[A-Za-z0-9_.:/-]{1,64}$/;
const CREDENTIAL_FIELD = /^[a-z][a-z0-9_-]{0,63}$/;
const MAX_TAGS = 32;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `tags`: up to 32 string values under short keys. */
export const IsTagMap = (options?: ValidationOptions) =>
  define(
    'isTagMap',
    (value) => {
      if (!isPlainObject(value)) return 'must be an object of strings';
      const entries = Object.entries(value);
      if (entries.length > MAX_TAGS) return `must have at most ${MAX_TAGS} keys`;
      for (const [key, tag] of entries) {
        if (!TAG_KEY.test(key)) {
          return `has key '${key.slice(0, 64)}': keys must match [A-Za-z0-9_.:/-]{1,64}`;
        }
        if (typeof tag !== 'string' || tag.length > 256) {
          return `must give '${key}' a string of at most 256 characters`;
        }
      }
      return undefined;
    },
    options,
  );

const MAX_PII_PATTERNS = 32;
const PII_LABEL = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * `pii_custom_patterns`: up to 32 `label -> regex` entries, each one the detector can run in
 * bounded time (a pattern that can backtrack catastrophically is refused with the reason).
 */
export const IsPiiPatternMap = (options?: ValidationOptions) =>
  define(
    'isPiiPatternMap',
    (value) => {
      if (!isPlainObject(value)) return 'must be an object of label -> regular expression';
      const entries = Object.entries(value);
      if (entries.length > MAX_PII_PATTERNS)
        return `must have at most ${MAX_PII_PATTERNS} patterns`;
      for (const [label, source] of entries) {
        if (!PII_LABEL.test(label)) {
          return `has label '${label.slice(0, 64)}': labels must match [A-Za-z0-9_.:-]{1,64}`;
        }
        if (typeof source !== 'string') return `must give '${label}' a string pattern`;
        const problem = checkCustomPattern(label, source);
        if (problem !== undefined) return `has an unusable pattern: ${problem}`;
      }
      return undefined;
    },
    options,
  );

/**
 * `credentials`: provider id -> { field: secret string }, e.g. `{ openai: { api_key: 'sk-...' } }`.
 * With `allowRemoval`, a provider may map to null (PATCH: remove that provider's credentials).
 * The values are never part of a message.
 */
export const IsCredentialMap = (allowRemoval: boolean, options?: ValidationOptions) =>
  define(
    'isCredentialMap',
    (value) => {
      if (!isPlainObject(value)) return 'must be an object of provider credentials';
      for (const [provider, fields] of Object.entries(value)) {
        const named = `'${provider.slice(0, 64)}'`;
        if (!SLUG_PATTERN.test(provider))
          return `has provider ${named}: ids must match ${SLUG_TEXT}`;
        if (fields === null && allowRemoval) continue;
        if (!isPlainObject(fields) || Object.keys(fields).length === 0) {
          const orNull = allowRemoval ? ' (or null to remove them)' : '';
          return `must map provider ${named} to an object of credential fields${orNull}`;
        }
        for (const [field, secret] of Object.entries(fields)) {
          if (!CREDENTIAL_FIELD.test(field)) {
            return `has field '${field.slice(0, 64)}' for ${named}: fields must match [a-z][a-z0-9_-]{0,63}`;
          }
          if (typeof secret !== 'string' || secret === '' || secret.length > 8192) {
            return `must give ${named} field '${field}' as a non-empty string`;
          }
        }
      }
      return undefined;
    },
    options,
  );

/** An ISO 8601 instant after now (checked when the request is validated). */
export const IsFutureInstant = (options?: ValidationOptions) =>
  define(
    'isFutureInstant',
    (value) => {
      if (
        typeof value !== 'string' ||
        !ISO_INSTANT.test(value) ||
        Number.isNaN(Date.parse(value))
      ) {
        return 'must be an ISO 8601 date-time, e.g. 2030-01-31T00:00:00Z';
      }
      return Date.parse(value) > Date.now() ? undefined : 'must be in the future';
    },
    options,
  );

/** Date, or date and time with an optional offset. */
const ISO_INSTANT =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

export const TENANT_STATUSES = ['active', 'suspended'] as const;

/** Data-residency regions, e.g. `eu`, `us-east-1`. */
export const REGION_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;
export const REGION_TEXT = '[a-z0-9][a-z0-9-]{0,31}';

/** The OpenAPI description of a `credentials` field (write-only: never in a response). */
export const CREDENTIALS_DOC = {
  type: 'object',
  additionalProperties: { type: 'object', additionalProperties: { type: 'string' } },
  example: { openai: { api_key: 'sk-...' } },
  description:
    "Provider credentials that override the installation's, by provider id. Encrypted at rest " +
    '(needs GATEWAY_ENCRYPTION_KEY) and never returned: responses list only `credential_providers`.',
} as const;

/** `value` has at most nine decimal places: it is a whole number of nano-USD. */
function wholeNanos(value: number): boolean {
  return Number(value.toFixed(9)) === value;
}

/**
 * A USD amount: a finite number with at most nine decimal places (exact in nano-USD).
 * class-validator's `IsNumber({maxDecimalPlaces})` throws on numbers JavaScript prints in
 * exponent form (`7e-323`), which made such a body a 500.
 */
export const IsUsdAmount = (options?: ValidationOptions) =>
  define(
    'isUsdAmount',
    (value) =>
      typeof value === 'number' && Number.isFinite(value) && wholeNanos(value)
        ? undefined
        : 'must be a number with at most 9 decimal places',
    options,
  );

/**
 * `@IsOptional()` for a field that cannot be null: absent skips its checks, but `null` is checked
 * like any value, so the type check refuses it (a PATCH with `"name": null` is a 400, not a
 * database constraint failure).
 */
export const IsOptionalNotNull = (): PropertyDecorator =>
  ValidateIf((_object: object, value: unknown) => value !== undefined);
