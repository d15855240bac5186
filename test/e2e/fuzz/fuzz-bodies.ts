import fc from 'fast-check';

/**
 * Request bodies for the fuzz suites (issue 18): valid ones built from each surface's schema,
 * nearly valid ones (a valid body with one part broken) and hostile ones (anything a JSON parser
 * accepts, and much it does not). A sample is what goes on the wire: the raw body and its
 * content type.
 */
export interface WireBody {
  readonly body: string | Buffer;
  readonly contentType: string;
  /** How the sample was made, for the failure report. */
  readonly kind: string;
}

const JSON_TYPE = 'application/json';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Keys that trip naive object handling. */
const PROTOTYPE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
];

/** A leaf that breaks a field: wrong types, absurd numbers, hostile strings. */
export const hostileLeaf: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(
    null,
    true,
    false,
    0,
    -1,
    -0,
    1e308,
    -1e308,
    Number.MAX_SAFE_INTEGER + 2,
    0.1,
    '',
    ' ',
    '\u0000',
    '\ud800',
    'a\udc00b',
    '\u202e',
    '<img src=x onerror=alert(1)>',
    '../../etc/passwd',
    '${jndi:ldap://x}',
    '{{PII_EMAIL_00000000}}',
    [],
    {},
    [[]],
    { __proto__: { polluted: true } } as unknown as Json,
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.integer({ min: 1_000, max: 70_000 }).map((n) => 'x'.repeat(n)),
  fc.constantFrom(...PROTOTYPE_KEYS).map((key) => JSON.parse(`{"${key}": {"a": 1}}`) as Json),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
);

/** Every path to a value inside a JSON document. */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  }
  return out;
}

function clone(value: Json): Json {
  return JSON.parse(JSON.stringify(value)) as Json;
}

/** One mutation of a valid document: a value replaced, a key removed, a key added. */
function mutate(doc: Json, pick: number, op: number, leaf: Json, key: string): Json {
  const copy = clone(doc);
  const all = paths(copy);
  const path = all[pick % all.length];
  if (path.length === 0) return op % 3 === 0 ? leaf : copy;
  const parentPath = path.slice(0, -1);
  let parent: any = copy;
  for (const step of parentPath) parent = parent[step];
  const last = path[path.length - 1];
  switch (op % 3) {
    case 0:
      parent[last] = leaf;
      break;
    case 1:
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
      break;
    default: {
      const target = parent[last];
      if (target !== null && typeof target === 'object' && !Array.isArray(target)) {
        Object.defineProperty(target, key, { value: leaf, enumerable: true, writable: true });
      } else parent[last] = leaf;
    }
  }
  return copy;
}

/** A valid document with one part broken. */
export function nearlyValid(valid: fc.Arbitrary<Json>): fc.Arbitrary<WireBody> {
  return fc
    .tuple(
      valid,
      fc.nat(),
      fc.nat(),
      hostileLeaf,
      fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS), fc.string({ maxLength: 12 })),
    )
    .map(([doc, pick, op, leaf, key]) => ({
      body: JSON.stringify(mutate(doc, pick, op, leaf, key)),
      contentType: JSON_TYPE,
      kind: 'nearly valid',
    }));
}

/** Valid documents as wire bodies. */
export function asValid(valid: fc.Arbitrary<Json>): fc.Arbitrary<WireBody> {
  return valid.map((doc) => ({ body: JSON.stringify(doc), contentType: JSON_TYPE, kind: 'valid' }));
}

const nestedText = fc
  .tuple(fc.integer({ min: 100, max: 20_000 }), fc.boolean())
  .map(([depth, arrays]) =>
    arrays
      ? '['.repeat(depth) + ']'.repeat(depth)
      : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth),
  );

/** Hostile bodies, parseable or not, for `field` holding the nesting when one is built. */
export function hostile(field: string): fc.Arbitrary<WireBody> {
  const json = (kind: string) => (body: string) => ({ body, contentType: JSON_TYPE, kind });
  return fc.oneof(
    (fc.jsonValue({ maxDepth: 5 }) as fc.Arbitrary<Json>).map((v) =>
      json('any JSON')(JSON.stringify(v)),
    ),
    nestedText.map(json('deep nesting')),
    nestedText.map((nested) => json('deep nesting in a field')(`{"${field}": ${nested}}`)),
    fc
      .tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }))
      .map(([a, b]) =>
        json('duplicate keys')(
          `{"model": ${JSON.stringify(a)}, "${field}": [], "model": ${JSON.stringify(b)}}`,
        ),
      ),
    fc
      .constantFrom(...PROTOTYPE_KEYS)
      .map((key) =>
        json('prototype key')(`{"${key}": {"${field}": 1}, "${field}": {"${key}": null}}`),
      ),
    fc.string({ maxLength: 200 }).map(json('not JSON')),
    fc.uint8Array({ minLength: 1, maxLength: 200 }).map((bytes) => ({
      body: Buffer.concat([Buffer.from(`{"${field}": "`), Buffer.from(bytes), Buffer.from('"}')]),
      contentType: JSON_TYPE,
      kind: 'invalid UTF-8',
    })),
    fc
      .tuple(
        fc.constantFrom('text/plain', 'application/xml', 'multipart/form-data', ''),
        fc.string(),
      )
      .map(([contentType, body]) => ({ body, contentType, kind: 'wrong content type' })),
    fc
      .constantFrom('1e400', '-1e400', '"\\ud800"', 'null', '[]', '""', '{"a":1', '{"a":1}}')
      .map(json('odd JSON')),
  );
}

/** Fixed cases too large to generate thousands of times: 10 MB values and more. */
export function largeCases(valid: Json, field: string): WireBody[] {
  const big = 'a'.repeat(10 * 1024 * 1024);
  const json = (kind: string, value: unknown): WireBody => ({
    body: JSON.stringify(value),
    contentType: JSON_TYPE,
    kind,
  });
  return [
    json('10 MB field', { ...(valid as object), [field]: big }),
    json('10 MB key', { ...(valid as object), [big]: 1 }),
    json('10 MB model', { ...(valid as object), model: big }),
    {
      body: '{"a":' + '1'.repeat(25 * 1024 * 1024) + '}',
      contentType: JSON_TYPE,
      kind: '25 MB body',
    },
  ];
}

/** The samples of one surface: a third each valid, nearly valid and hostile, reproducibly. */
export function samples(
  valid: fc.Arbitrary<Json>,
  field: string,
  count: number,
  seed: number,
): WireBody[] {
  const each = Math.ceil(count / 3);
  return [
    ...fc.sample(asValid(valid), { numRuns: each, seed }),
    ...fc.sample(nearlyValid(valid), { numRuns: each, seed: seed + 1 }),
    ...fc.sample(hostile(field), { numRuns: each, seed: seed + 2 }),
  ];
}

export type { Json };
