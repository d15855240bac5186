import {
  type FieldMap,
  type FieldSupport,
  OPTIONAL_FIELDS,
  type OptionalField,
} from './llm-provider.types.js';

/**
 * Building blocks for the providers' parameter maps (contract 4.2): which optional OpenAI
 * fields a model honours, and how. A vendor folder declares its map with these; the capability
 * check refuses whatever a map leaves out.
 */

/** Sent to the upstream as the caller wrote it; `values` narrows a string field. */
export function forwarded(values?: readonly string[]): FieldSupport {
  return values === undefined ? { how: 'forward' } : { how: 'forward', values };
}

/** Translated into the vendor's own parameter by its request mapper. */
export const MAPPED: FieldSupport = { how: 'mapped' };

/** Every optional field, forwarded verbatim: OpenAI's own API and Azure's copy of it. */
export const ALL_FORWARDED: FieldMap = Object.fromEntries(
  OPTIONAL_FIELDS.map((field) => [field, forwarded()]),
);

/** Honours none of them. */
export const NO_FIELDS: FieldMap = {};

/** Whether the upstream body should carry `field` as the caller sent it. */
export function forwards(fields: FieldMap | undefined, field: OptionalField): boolean {
  return fields?.[field]?.how === 'forward';
}
