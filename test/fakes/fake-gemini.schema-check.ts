/**
 * The fake Gemini's judgement of a `Schema` (responseSchema, function parameters): the OpenAPI
 * subset of wire-formats 4.2 and nothing else, with Google's messages.
 */
import { asRecord, invalid, knownFields } from './fake-gemini.refusal.js';

const SCHEMA_FIELDS = new Set([
  'type', 'format', 'title', 'description', 'nullable', 'enum', 'items', 'minItems', 'maxItems',
  'properties', 'required', 'propertyOrdering', 'minProperties', 'maxProperties', 'minLength',
  'maxLength', 'pattern', 'minimum', 'maximum', 'anyOf', 'default', 'example',
]); // prettier-ignore
const SCHEMA_TYPES = new Set(['STRING', 'NUMBER', 'INTEGER', 'BOOLEAN', 'ARRAY', 'OBJECT', 'NULL']);

/** The OpenAPI subset of wire-formats 4.2, with Google's messages. */
export function checkSchema(value: unknown, path: string): void {
  const schema = asRecord(value);
  if (schema === undefined) {
    throw invalid(
      `Invalid value at '${path}' (type.googleapis.com/google.ai.generativelanguage.v1beta.Schema)`,
    );
  }
  knownFields(schema, SCHEMA_FIELDS, path);
  const rawType = schema.type;
  if (Array.isArray(rawType)) {
    throw invalid(
      `Invalid JSON payload received. Proto field is not repeating, cannot start list. at '${path}.type'`,
    );
  }
  const type = typeof rawType === 'string' ? rawType.toUpperCase() : undefined;
  if (rawType !== undefined && (type === undefined || !SCHEMA_TYPES.has(type))) {
    throw invalid(
      `Invalid value at '${path}.type' (type.googleapis.com/google.ai.generativelanguage.v1beta.Type), ${JSON.stringify(rawType)}`,
    );
  }
  if (schema.enum !== undefined) {
    if (type !== 'STRING') {
      throw invalid(`* GenerateContentRequest.${path}.enum: only allowed for STRING type\n`);
    }
    if (!Array.isArray(schema.enum) || !schema.enum.every((v) => typeof v === 'string')) {
      throw invalid(`Invalid value at '${path}.enum[0]' (TYPE_STRING)`);
    }
  }
  const properties = asRecord(schema.properties);
  if (type === 'OBJECT' && (properties === undefined || Object.keys(properties).length === 0)) {
    throw invalid(
      `* GenerateContentRequest.${path}.properties: should be non-empty for OBJECT type\n`,
    );
  }
  Object.values(properties ?? {}).forEach((p, i) =>
    checkSchema(p, `${path}.properties[${i}].value`),
  );
  if (Array.isArray(schema.required)) {
    schema.required.forEach((name, i) => {
      if (properties === undefined || !(String(name) in properties)) {
        throw invalid(`* GenerateContentRequest.${path}.required[${i}]: property is not defined\n`);
      }
    });
  }
  if (type === 'ARRAY') {
    if (schema.items === undefined) {
      throw invalid(`* GenerateContentRequest.${path}.items: missing field.\n`);
    }
    checkSchema(schema.items, `${path}.items`);
  }
  if (schema.anyOf !== undefined) {
    if (!Array.isArray(schema.anyOf)) throw invalid(`Invalid value at '${path}.any_of'`);
    schema.anyOf.forEach((s, i) => checkSchema(s, `${path}.any_of[${i}]`));
  }
}
