/**
 * Reading values out of a parsed DSL document with errors that name the rule and the key: every
 * refusal is a `PolicyCompileError` whose `param` is `<rule id>.<key path>`.
 */
import { PolicyCompileError } from '../policy.types.js';
import { MAX_LIST_ENTRIES } from './glob.matcher.js';
import { hintFor, quote } from './key-hints.js';

export type DslMapping = Readonly<Record<string, unknown>>;

/** Where in the document a value is read: `param` prefixes error params, `label` messages. */
export class DslScope {
  constructor(
    /** e.g. `no-preview` (a rule id) or `rules[2]`. */
    readonly param: string,
    /** e.g. `Rule 'no-preview'`. */
    readonly label: string,
  ) {}

  /** An error at `path` (relative to the scope) whose message is `<label>: <text>`. */
  error(path: string, text: string): PolicyCompileError {
    return new PolicyCompileError(
      path.length > 0 ? `${this.param}.${path}` : this.param,
      `${this.label}: ${text}`,
    );
  }
}

export function isMapping(value: unknown): value is DslMapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value of an own key, undefined when absent. */
export function field(mapping: DslMapping, key: string): unknown {
  return Object.hasOwn(mapping, key) ? mapping[key] : undefined;
}

/** `a mapping`, `a list`, `the number 3`... for "got ..." in messages. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${quote(value)}`;
  return `the ${typeof value} ${quote(value)}`;
}

export function readMapping(
  scope: DslScope,
  path: string,
  value: unknown,
  expected: string,
): DslMapping {
  if (!isMapping(value)) {
    // At the top of a scope (`path` empty) the label already names what is read.
    const subject = path.length > 0 ? `${path} must` : 'must';
    throw scope.error(path, `${subject} be ${expected}, got ${describeValue(value)}`);
  }
  return value;
}

/**
 * Refuses keys outside `valid`, with a hint: `special` holds whole explanations for known
 * mistakes, `aliases` maps normalized mistakes (lower case, no `-`/`_`) to the key meant.
 */
export function checkKeys(
  scope: DslScope,
  path: string,
  mapping: DslMapping,
  valid: readonly string[],
  aliases: Readonly<Record<string, string>> = {},
  special: Readonly<Record<string, string>> = {},
): void {
  for (const key of Object.keys(mapping)) {
    if (valid.includes(key)) continue;
    const where = path.length > 0 ? `${path}.${key}` : key;
    const explanation = Object.hasOwn(special, key) ? `: ${special[key]}` : undefined;
    throw scope.error(
      where,
      `unknown key ${quote(where)}${explanation ?? hintFor(key, valid, aliases)}`,
    );
  }
}

/**
 * The value of a condition written as a mapping of one key, such as `{limit: N}`: refuses another
 * shape, any other key (with a hint from `aliases`), and the key missing.
 */
export function readSoleKey(
  scope: DslScope,
  path: string,
  value: unknown,
  key: string,
  shape: string,
  aliases: Readonly<Record<string, string>>,
): unknown {
  const spec = readMapping(scope, path, value, `a mapping \`{${key}: ${shape}}\``);
  checkKeys(scope, path, spec, [key], aliases);
  const raw = field(spec, key);
  if (raw === undefined) throw scope.error(`${path}.${key}`, `${path} needs \`${key}: ${shape}\``);
  return raw;
}

export function readString(
  scope: DslScope,
  path: string,
  value: unknown,
  expected: string,
  maxLength: number,
): string {
  if (typeof value !== 'string' || value.trim().length === 0) {
    throw scope.error(path, `${path} must be ${expected}, got ${describeValue(value)}`);
  }
  if (value.length > maxLength) {
    throw scope.error(
      path,
      `${path} is ${value.length} characters long; the limit is ${maxLength}`,
    );
  }
  return value;
}

/** A non-empty list of non-empty strings, each at most `maxLength` characters. */
export function readStringList(
  scope: DslScope,
  path: string,
  value: unknown,
  expected: string,
  maxLength: number,
): string[] {
  if (!Array.isArray(value)) {
    throw scope.error(path, `${path} must be a list of ${expected}, got ${describeValue(value)}`);
  }
  if (value.length === 0) {
    throw scope.error(path, `${path} must list at least one of ${expected}, got an empty list`);
  }
  if (value.length > MAX_LIST_ENTRIES) {
    throw scope.error(
      path,
      `${path} has ${value.length} entries; the limit is ${MAX_LIST_ENTRIES}`,
    );
  }
  return value.map((entry: unknown, index) => {
    const at = `${path}[${index}]`;
    if (typeof entry !== 'string' || entry.length === 0) {
      throw scope.error(
        path,
        `${path} must be a list of ${expected}, but ${at} is ${describeValue(entry)}`,
      );
    }
    if (entry.length > maxLength) {
      throw scope.error(
        path,
        `${at} is ${entry.length} characters long; the limit is ${maxLength}`,
      );
    }
    return entry;
  });
}

/** A finite number within [min, max], an integer when `integer`. */
export function readNumber(
  scope: DslScope,
  path: string,
  value: unknown,
  options: { readonly min: number; readonly max: number; readonly integer: boolean },
): number {
  const kind = options.integer ? 'an integer' : 'a number';
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!options.integer || Number.isInteger(value)) &&
    value >= options.min &&
    value <= options.max;
  if (!ok) {
    throw scope.error(
      path,
      `${path} must be ${kind} from ${options.min} to ${options.max}, got ${describeValue(value)}`,
    );
  }
  return value;
}
