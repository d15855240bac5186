import { readFileSync } from 'node:fs';
import { toGeminiSchema } from './gemini-schema.mapper.js';

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
}

function translated(schema: Record<string, unknown>): Record<string, unknown> | undefined {
  const result = toGeminiSchema(schema);
  if (!result.ok) throw new Error(`refused: ${result.reason} at ${result.path}`);
  return result.schema;
}

function refusal(schema: Record<string, unknown>): { reason: string; path: string } {
  const result = toGeminiSchema(schema);
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.schema)}`);
  return result;
}

const object = (properties: Record<string, unknown>) => ({ type: 'object', properties });

describe(toGeminiSchema.name, () => {
  it('turns a strict OpenAI schema into the OpenAPI subset Gemini accepts', () => {
    expect(translated(fixture('json-schema.openai.json'))).toEqual(
      fixture('json-schema.gemini.json'),
    );
  });

  it('drops what only validates: $schema, additionalProperties: false, unknown formats, x- keys, misplaced bounds', () => {
    expect(
      translated({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        $id: 'urn:x',
        type: 'object',
        properties: {
          url: { type: 'string', format: 'uri', 'x-order': 1 },
          n: { type: 'number', exclusiveMinimum: 0, format: 'double' },
          code: { type: 'string', minimum: 3, pattern: '^[A-Z]+$' },
        },
        additionalProperties: false,
        unevaluatedProperties: false,
      }),
    ).toEqual({
      type: 'OBJECT',
      properties: {
        url: { type: 'STRING' },
        n: { type: 'NUMBER', format: 'double' },
        code: { type: 'STRING', pattern: '^[A-Z]+$' },
      },
      propertyOrdering: ['url', 'n', 'code'],
    });
  });

  it('keeps the caller’s property order and an explicit propertyOrdering', () => {
    expect(translated(object({ b: { type: 'string' }, a: { type: 'string' } }))).toMatchObject({
      propertyOrdering: ['b', 'a'],
    });
    expect(
      translated({
        ...object({ b: { type: 'string' }, a: { type: 'string' } }),
        propertyOrdering: ['a', 'b'],
      }),
    ).toMatchObject({ propertyOrdering: ['a', 'b'] });
  });

  it('infers the type from properties, items and enum', () => {
    expect(
      translated({
        properties: { list: { items: { enum: ['x', 'y'] } } },
      }),
    ).toEqual({
      type: 'OBJECT',
      properties: { list: { type: 'ARRAY', items: { type: 'STRING', enum: ['x', 'y'] } } },
    });
  });

  it('splits a type list into anyOf branches, each with its own keywords', () => {
    expect(
      translated(
        object({
          v: { type: ['string', 'integer', 'null'], maxLength: 5, maximum: 9, description: 'd' },
        }),
      ),
    ).toEqual({
      type: 'OBJECT',
      properties: {
        v: {
          description: 'd',
          nullable: true,
          anyOf: [
            { type: 'STRING', description: 'd', maxLength: 5 },
            { type: 'INTEGER', description: 'd', maximum: 9 },
          ],
        },
      },
    });
  });

  it('hoists a single non-null union branch, as pydantic writes Optional fields', () => {
    expect(
      translated(
        object({
          when: {
            anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }],
            title: 'When',
          },
        }),
      ),
    ).toEqual({
      type: 'OBJECT',
      properties: { when: { type: 'STRING', format: 'date-time', title: 'When', nullable: true } },
    });
  });

  it('omits a free-form root object: JSON mode is all Gemini can do with it', () => {
    expect(translated({ type: 'object' })).toBeUndefined();
    expect(
      translated({ type: 'object', properties: {}, additionalProperties: false }),
    ).toBeUndefined();
    expect(translated({})).toBeUndefined();
  });

  it('accepts a non-object root', () => {
    expect(translated({ type: 'array', items: { type: 'integer' } })).toEqual({
      type: 'ARRAY',
      items: { type: 'INTEGER' },
    });
  });

  it('inlines references with their escaped names and sibling annotations', () => {
    expect(
      translated({
        ...object({ a: { $ref: '#/definitions/a~1b', description: 'override' } }),
        definitions: { 'a/b': { type: 'string', description: 'original' } },
      }),
    ).toMatchObject({ properties: { a: { type: 'STRING', description: 'override' } } });
  });

  it.each([
    ['allOf', object({ a: { allOf: [{ type: 'string' }] } }), "'allOf'", '#/properties/a/allOf'],
    ['not', object({ a: { not: { type: 'string' } } }), "'not'", '#/properties/a/not'],
    [
      'if/then',
      object({ a: { type: 'string', if: {}, then: {} } }),
      'conditional',
      '#/properties/a/if',
    ],
    [
      'tuples',
      object({ a: { type: 'array', prefixItems: [{ type: 'string' }] } }),
      'tuples',
      '#/properties/a/prefixItems',
    ],
    [
      'maps',
      object({ a: { type: 'object', additionalProperties: { type: 'number' } } }),
      'maps',
      '#/properties/a/additionalProperties',
    ],
    ['free-form nested objects', object({ a: { type: 'object' } }), 'free-form', '#/properties/a'],
    [
      'untyped nested values',
      object({ a: { description: 'anything' } }),
      "without a 'type'",
      '#/properties/a',
    ],
    [
      'numeric enums',
      object({ a: { type: 'integer', enum: [1, 2] } }),
      'string values',
      '#/properties/a/enum',
    ],
    ['numeric const', object({ a: { const: 3 } }), 'string values', '#/properties/a/const'],
    ['arrays without items', object({ a: { type: 'array' } }), "'items'", '#/properties/a'],
    ['unknown types', object({ a: { type: 'date' } }), 'unknown type', '#/properties/a/type'],
    ['boolean schemas', object({ a: true }), 'boolean schemas', '#/properties/a'],
    [
      'remote references',
      object({ a: { $ref: 'https://example.com/s.json' } }),
      'local references',
      '#/properties/a/$ref',
    ],
    [
      'dangling references',
      object({ a: { $ref: '#/$defs/Nope' } }),
      'points at nothing',
      '#/properties/a/$ref',
    ],
  ])('refuses %s, saying why and where', (_name, schema, reason, path) => {
    const refused = refusal(schema);
    expect(refused.reason).toContain(reason);
    expect(refused.path).toBe(path);
  });

  it('refuses recursive references instead of expanding them forever', () => {
    const refused = refusal({
      $ref: '#/$defs/Node',
      $defs: { Node: object({ children: { type: 'array', items: { $ref: '#/$defs/Node' } } }) },
    });
    expect(refused.reason).toContain('recursive');
    expect(refused.path).toBe('#/properties/children/items/$ref');
  });

  it('bounds the size of what references expand to', () => {
    // Each level doubles: 2^20 nodes if expanded naively.
    const defs: Record<string, unknown> = { L0: { type: 'string' } };
    for (let i = 1; i <= 20; i++) {
      defs[`L${i}`] = object({
        a: { $ref: `#/$defs/L${i - 1}` },
        b: { $ref: `#/$defs/L${i - 1}` },
      });
    }
    expect(refusal({ $ref: '#/$defs/L20', $defs: defs }).reason).toContain('more than');
  });
});
