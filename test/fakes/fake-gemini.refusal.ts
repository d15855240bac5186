/**
 * How the fake Gemini checks refuse: a `Refused` thrown anywhere in a check becomes Google's 400
 * `INVALID_ARGUMENT` envelope; field names are read in camelCase or snake_case, as proto-JSON
 * accepts both, and unknown ones are refused with Google's `Unknown name` message.
 */
import { googleError, type GoogleErrorBody } from './fake-gemini.payloads.js';

export type Json = Record<string, unknown>;

export type Checked<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: GoogleErrorBody };

/** Refusal helper: throw inside the checks, caught once at the top. */
export class Refused extends Error {
  constructor(readonly body: GoogleErrorBody) {
    super(body.error.message);
  }
}

export function knownFields(object: Json, known: ReadonlySet<string>, path: string): void {
  for (const key of Object.keys(object)) {
    if (!known.has(camel(key))) {
      throw invalid(
        path === ''
          ? `Invalid JSON payload received. Unknown name "${key}": Cannot find field.`
          : `Invalid JSON payload received. Unknown name "${key}" at '${path}': Cannot find field.`,
      );
    }
  }
}

/** A field under its camelCase or snake_case name. */
export function field(object: Json, camelName: string): unknown {
  return object[camelName] ?? object[snake(camelName)];
}

export function camel(name: string): string {
  return name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

export function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export function join(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}

export function invalid(message: string): Refused {
  return new Refused(googleError(400, 'INVALID_ARGUMENT', message));
}

export function guarded<T>(check: () => T): Checked<T> {
  try {
    return { ok: true, value: check() };
  } catch (error) {
    if (error instanceof Refused) return { ok: false, error: error.body };
    throw error;
  }
}

export function asRecord(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : undefined;
}
