/**
 * JSON Schema (what OpenAI callers send in `response_format.json_schema.schema` and in tool
 * `parameters`) to the OpenAPI 3.0 subset Gemini's `Schema` accepts (wire-formats 4.2). Gemini
 * answers any keyword outside that subset with 400 `Unknown name "…": Cannot find field`, so the
 * translation is an allow-list:
 *
 * - kept: the keywords Gemini knows (`type`, `properties`, `items`, `enum`, bounds, `pattern`, …);
 * - rewritten: `$ref` into `$defs`/`definitions` is inlined, `oneOf` becomes `anyOf`, `const`
 *   becomes a one-value `enum`, type lists and `null` branches become `nullable`, and objects get a
 *   `propertyOrdering` so Gemini answers with the caller's key order (it sorts keys otherwise);
 * - dropped: every other keyword. Those are annotations and checks that only validate an answer
 *   the model already shapes (`$schema`, `$defs` once inlined, `additionalProperties: false`,
 *   `multipleOf`, `uniqueItems`, unsupported `format`s, vendor `x-` keys, …);
 * - refused: what would change the shape of the answer if dropped (`allOf`, `not`, tuples,
 *   conditionals, maps, recursive references, free-form nested objects, non-string enums).
 *
 * Pure; refusals come back as a reason and the path of the offending keyword, for the caller to
 * turn into a 400 naming its own request field.
 */

type Json = Record<string, unknown>;

export type SchemaTranslation =
  /** `schema` is undefined when the root is a free-form object: JSON mode is all Gemini can do. */
  | { readonly ok: true; readonly schema: Json | undefined }
  | { readonly ok: false; readonly reason: string; readonly path: string };

const TYPES: Readonly<Record<string, string>> = {
  string: 'STRING',
  number: 'NUMBER',
  integer: 'INTEGER',
  boolean: 'BOOLEAN',
  array: 'ARRAY',
  object: 'OBJECT',
  null: 'NULL',
};

/** The `format` values Gemini accepts, per type. */
const FORMATS: Readonly<Record<string, readonly string[]>> = {
  STRING: ['enum', 'date-time'],
  NUMBER: ['float', 'double'],
  INTEGER: ['int32', 'int64'],
};

/** Keywords that hold for every type, copied onto each branch of a type list. */
const ANNOTATIONS = ['title', 'description', 'default', 'example'] as const;

/** Keywords that only constrain one type; a type-list branch gets only its own. */
const TYPE_KEYWORDS: Readonly<Record<string, readonly string[]>> = {
  STRING: ['format', 'enum', 'minLength', 'maxLength', 'pattern'],
  NUMBER: ['format', 'minimum', 'maximum'],
  INTEGER: ['format', 'minimum', 'maximum'],
  BOOLEAN: [],
  NULL: [],
  ARRAY: ['items', 'minItems', 'maxItems'],
  OBJECT: ['properties', 'required', 'propertyOrdering', 'minProperties', 'maxProperties'],
};

const BOUNDS: ReadonlySet<string> = new Set([
  'minLength', 'maxLength', 'minimum', 'maximum', 'minItems', 'maxItems', 'minProperties',
  'maxProperties',
]); // prettier-ignore

/** Keywords whose meaning Gemini cannot carry, with the reason given to the caller. */
const REFUSED: Readonly<Record<string, string>> = {
  allOf: "'allOf' is not supported",
  not: "'not' is not supported",
  if: "conditional schemas ('if'/'then'/'else') are not supported",
  then: "conditional schemas ('if'/'then'/'else') are not supported",
  else: "conditional schemas ('if'/'then'/'else') are not supported",
  prefixItems: "tuples ('prefixItems') are not supported",
  patternProperties: "'patternProperties' is not supported",
  dependentSchemas: "'dependentSchemas' is not supported",
  unevaluatedItems: "'unevaluatedItems' is not supported",
  $dynamicRef: "'$dynamicRef' is not supported",
  $recursiveRef: "'$recursiveRef' is not supported",
};

/** Bounds the work a caller's schema can cause once references are inlined. */
const MAX_NODES = 5_000;
const MAX_DEPTH = 48;

/** Thrown inside the walk, caught at its root: the walk is deep and stops at the first. */
class Refusal extends Error {
  constructor(
    readonly reason: string,
    readonly path: string,
  ) {
    super(reason);
  }
}

/** Translates a caller's JSON Schema; see the file comment for what is kept, dropped and refused. */
export function toGeminiSchema(schema: Json): SchemaTranslation {
  const walker = new SchemaWalker(schema);
  try {
    const translated = walker.node(schema, '#', 0);
    const freeForm =
      translated.type === 'OBJECT' &&
      translated.properties === undefined &&
      !('anyOf' in translated);
    if (freeForm || Object.keys(translated).length === 0) return { ok: true, schema: undefined };
    return { ok: true, schema: translated };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, reason: error.reason, path: error.path };
    throw error;
  }
}

class SchemaWalker {
  private nodes = 0;
  /** References being inlined, to catch recursion. */
  private readonly expanding: string[] = [];

  constructor(private readonly root: Json) {}

  node(value: unknown, path: string, depth: number): Json {
    if (++this.nodes > MAX_NODES) {
      throw new Refusal(`the schema expands to more than ${MAX_NODES} nodes`, path);
    }
    if (depth > MAX_DEPTH) throw new Refusal(`the schema nests deeper than ${MAX_DEPTH}`, path);
    if (typeof value === 'boolean') {
      throw new Refusal('boolean schemas (true/false) are not supported', path);
    }
    const schema = asRecord(value);
    if (schema === undefined) throw new Refusal('a schema must be an object', path);
    if (typeof schema.$ref === 'string') return this.reference(schema, path, depth);

    for (const key of Object.keys(schema)) {
      const refused = REFUSED[key];
      if (refused !== undefined) throw new Refusal(refused, `${path}/${key}`);
    }
    const additional = schema.additionalProperties ?? schema.unevaluatedProperties;
    if (additional !== undefined && typeof additional !== 'boolean') {
      throw new Refusal(
        "maps ('additionalProperties' with a schema) are not supported",
        `${path}/additionalProperties`,
      );
    }
    if (Array.isArray(schema.items)) {
      throw new Refusal("tuples ('items' as an array) are not supported", `${path}/items`);
    }

    const union = schema.anyOf ?? schema.oneOf;
    if (union !== undefined) return this.union(schema, union, path, depth);
    const types = this.types(schema, path, depth);
    const nonNull = types.filter((t) => t !== 'NULL');
    const nullable = schema.nullable === true || (types.includes('NULL') && nonNull.length > 0);
    if (nonNull.length > 1) {
      const out = this.annotations(schema);
      out.anyOf = nonNull.map((type) => this.typed(pick(schema, type), type, path, depth));
      if (nullable) out.nullable = true;
      return out;
    }
    const out = this.typed(schema, nonNull[0] ?? types[0], path, depth);
    if (nullable) out.nullable = true;
    return out;
  }

  /** One schema of one known type (or of none, for a bare annotation schema). */
  private typed(schema: Json, type: string | undefined, path: string, depth: number): Json {
    const out = this.annotations(schema);
    if (type !== undefined) out.type = type;
    const format = schema.format;
    if (typeof format === 'string' && type !== undefined && FORMATS[type]?.includes(format)) {
      out.format = format;
    }
    // Bounds only where they mean something: `minimum` on a string is dropped, not sent.
    for (const key of type === undefined ? [] : TYPE_KEYWORDS[type]) {
      if (BOUNDS.has(key) && typeof schema[key] === 'number') out[key] = schema[key];
    }
    if (type === 'STRING' && typeof schema.pattern === 'string') out.pattern = schema.pattern;

    const values = enumValues(schema, path);
    if (values !== undefined) {
      if (type !== undefined && type !== 'STRING') {
        throw new Refusal('enums are supported on string values only', `${path}/enum`);
      }
      out.type = 'STRING';
      out.enum = values.strings;
      if (values.withNull) out.nullable = true;
    }
    if (type === 'ARRAY') {
      if (schema.items === undefined) {
        throw new Refusal("arrays must describe their 'items'", path);
      }
      out.items = this.node(schema.items, `${path}/items`, depth + 1);
    }
    if (type === 'OBJECT') this.object(schema, out, path, depth);
    return out;
  }

  private object(schema: Json, out: Json, path: string, depth: number): void {
    const properties = asRecord(schema.properties);
    const names = properties === undefined ? [] : Object.keys(properties);
    if (names.length === 0) {
      // Gemini requires properties on every OBJECT; only the root may stay free-form (JSON mode).
      if (depth > 0) {
        throw new Refusal(
          "objects without 'properties' (free-form objects) are not supported",
          path,
        );
      }
      return;
    }
    const translated: Json = {};
    for (const name of names) {
      translated[name] = this.node(
        properties![name],
        `${path}/properties/${escapePointer(name)}`,
        depth + 1,
      );
    }
    out.properties = translated;
    if (Array.isArray(schema.required)) {
      const required = schema.required.filter(
        (r): r is string => typeof r === 'string' && names.includes(r),
      );
      if (required.length > 0) out.required = required;
    }
    const ordering = Array.isArray(schema.propertyOrdering)
      ? schema.propertyOrdering.filter((p): p is string => typeof p === 'string')
      : names;
    if (ordering.length > 1) out.propertyOrdering = ordering;
  }

  /** `anyOf`/`oneOf`: a `null` branch becomes `nullable`, and a single remaining branch is hoisted. */
  private union(schema: Json, union: unknown, path: string, depth: number): Json {
    const key = schema.anyOf !== undefined ? 'anyOf' : 'oneOf';
    if (!Array.isArray(union) || union.length === 0) {
      throw new Refusal(`'${key}' must be a non-empty array`, `${path}/${key}`);
    }
    const rest = { ...schema };
    delete rest.anyOf;
    delete rest.oneOf;
    if (Object.keys(rest).some((k) => k === 'type' || k in TYPE_KEYWORDS_UNION)) {
      throw new Refusal(`'${key}' next to type keywords is not supported`, `${path}/${key}`);
    }
    const branches = union.map((branch, i) => this.node(branch, `${path}/${key}/${i}`, depth + 1));
    const nonNull = branches.filter((b) => !(b.type === 'NULL' && Object.keys(b).length === 1));
    const nullable = nonNull.length < branches.length || schema.nullable === true;
    const out = this.annotations(rest);
    if (nonNull.length === 1) {
      const merged = { ...nonNull[0], ...out };
      if (nullable) merged.nullable = true;
      return merged;
    }
    out.anyOf = nonNull.length === 0 ? [{ type: 'NULL' }] : nonNull;
    if (nullable && nonNull.length > 0) out.nullable = true;
    return out;
  }

  private reference(schema: Json, path: string, depth: number): Json {
    const ref = schema.$ref as string;
    const match = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref);
    if (match === null) {
      throw new Refusal(
        `only local references into '$defs' or 'definitions' are supported ('${ref}')`,
        `${path}/$ref`,
      );
    }
    if (this.expanding.includes(ref)) {
      throw new Refusal(`recursive references are not supported ('${ref}')`, `${path}/$ref`);
    }
    const target = asRecord(asRecord(this.root[match[1]])?.[unescapePointer(match[2])]);
    if (target === undefined) {
      throw new Refusal(`the reference '${ref}' points at nothing`, `${path}/$ref`);
    }
    const siblings = { ...schema };
    delete siblings.$ref;
    this.expanding.push(ref);
    try {
      // Annotations written next to a `$ref` (a description, say) refine the target.
      return this.node({ ...target, ...siblings }, path, depth);
    } finally {
      this.expanding.pop();
    }
  }

  /** The declared types, or the one the keywords imply; a nested schema must have one. */
  private types(schema: Json, path: string, depth: number): string[] {
    const raw = schema.type;
    if (raw === undefined) {
      if (schema.properties !== undefined) return ['OBJECT'];
      if (schema.items !== undefined) return ['ARRAY'];
      if (schema.enum !== undefined || schema.const !== undefined) return ['STRING'];
      if (depth > 0) {
        throw new Refusal("schemas without a 'type' (any value) are not supported", path);
      }
      return [];
    }
    const list = Array.isArray(raw) ? raw : [raw];
    return list.map((t) => {
      const type = typeof t === 'string' ? TYPES[t.toLowerCase()] : undefined;
      if (type === undefined) {
        throw new Refusal(`unknown type ${JSON.stringify(t)}`, `${path}/type`);
      }
      return type;
    });
  }

  private annotations(schema: Json): Json {
    const out: Json = {};
    for (const key of ANNOTATIONS) {
      if (key === 'title' || key === 'description') {
        if (typeof schema[key] === 'string') out[key] = schema[key];
      } else if (schema[key] !== undefined) {
        out[key] = schema[key];
      }
    }
    return out;
  }
}

/** Keywords that make no sense beside a union (they belong inside its branches). */
const TYPE_KEYWORDS_UNION: Readonly<Record<string, true>> = {
  properties: true,
  items: true,
  enum: true,
  const: true,
};

/** The part of a multi-type schema that applies to `type`. */
function pick(schema: Json, type: string): Json {
  const out: Json = {};
  for (const key of [...ANNOTATIONS, ...TYPE_KEYWORDS[type]]) {
    if (schema[key] !== undefined) out[key] = schema[key];
  }
  if (type === 'STRING' && schema.const !== undefined) out.const = schema.const;
  return out;
}

/** `enum`/`const` as Gemini's string enum; `null` among the values means nullable. */
function enumValues(
  schema: Json,
  path: string,
): { strings: string[]; withNull: boolean } | undefined {
  let values: unknown[] | undefined;
  if (schema.const !== undefined) values = [schema.const];
  else if (Array.isArray(schema.enum)) values = schema.enum;
  if (values === undefined) return undefined;
  const strings = values.filter((v): v is string => typeof v === 'string');
  const withNull = values.includes(null);
  const key = schema.const !== undefined ? 'const' : 'enum';
  if (strings.length + (withNull ? 1 : 0) !== values.length || strings.length === 0) {
    throw new Refusal(`'${key}' is supported with string values only`, `${path}/${key}`);
  }
  return { strings, withNull };
}

function asRecord(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : undefined;
}

function escapePointer(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

function unescapePointer(token: string): string {
  let decoded = token;
  try {
    decoded = decodeURIComponent(token);
  } catch {
    // Not percent-encoded: use the token as written.
  }
  return decoded.replace(/~1/g, '/').replace(/~0/g, '~');
}
