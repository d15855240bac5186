import { describe, expect, it } from '@jest/globals';
import { PolicyCompileError, type ProviderCatalog } from '../policy.types.js';
import { compilePolicy } from './policy.compiler.js';
import { MAX_DSL_LENGTH, parsePolicyEntry } from './policy-entry.parser.js';

const DSL = 'rules:\n  - id: r\n    conditions: { model: { denylist: ["gpt-4*"] } }\n';

function refusal(raw: unknown): PolicyCompileError {
  try {
    parsePolicyEntry(raw);
  } catch (error) {
    if (error instanceof PolicyCompileError) return error;
    throw error;
  }
  throw new Error('the entry was accepted');
}

describe(parsePolicyEntry.name, () => {
  it('reads a global ACTIVE policy from just an id and a dsl', () => {
    expect(parsePolicyEntry({ id: 'no-preview', dsl: DSL })).toEqual({
      id: 'no-preview',
      tenant: null,
      status: 'ACTIVE',
      dsl: DSL,
    });
  });

  it("accepts DVARA's `workspace` as the tenant", () => {
    expect(parsePolicyEntry({ id: 'p', workspace: 'acme', dsl: DSL }).tenant).toBe('acme');
    expect(parsePolicyEntry({ id: 'p', tenant: 'acme', dsl: DSL }).tenant).toBe('acme');
    expect(parsePolicyEntry({ id: 'p', tenant: 'acme', workspace: 'acme', dsl: DSL }).tenant).toBe(
      'acme',
    );
  });

  it('refuses a tenant and a workspace that differ', () => {
    const error = refusal({ id: 'p', tenant: 'acme', workspace: 'globex', dsl: DSL });
    expect(error.param).toBe('workspace');
    expect(error.message).toMatch(/another name for `tenant`; give one of them/);
  });

  it.each([
    ['tenant', { tenant: 'Acme Corp' }],
    ['workspace', { workspace: 'acme_corp' }],
    ['tenant', { tenant: 42 }],
  ])('refuses an invalid %s, naming the field', (param, fields) => {
    const error = refusal({ id: 'p', dsl: DSL, ...fields });
    expect(error.param).toBe(param);
    expect(error.message).toMatch(/must be a tenant id .*leave it out for a global policy/);
  });

  it.each([
    ['name', "did you mean 'id'?"],
    ['rules', "did you mean 'dsl'?"],
    ['tenant_id', "did you mean 'tenant'?"],
    ['stauts', "did you mean 'status'?"],
    ['colour', 'expected one of: id, tenant, workspace, status, dsl'],
  ])('refuses the unknown field %j with a hint', (field, hint) => {
    const error = refusal({ id: 'p', dsl: DSL, [field]: 'x' });
    expect(error.param).toBe(field);
    expect(error.message).toBe(`Unknown policy field '${field}'; ${hint}`);
  });

  it.each([undefined, '', '-starts-with-dash', 'has space', 'a'.repeat(129), 42, 'x/y'])(
    'refuses the id %j',
    (id) => {
      const error = refusal({ id, dsl: DSL });
      expect(error.param).toBe('id');
      expect(error.message).toMatch(/needs an id of 1 to 128 letters, digits/);
    },
  );

  it('accepts ids with dots, colons, underscores and dashes up to 128 characters', () => {
    expect(parsePolicyEntry({ id: 'team.search:v2_final-1', dsl: DSL }).id).toBe(
      'team.search:v2_final-1',
    );
    expect(parsePolicyEntry({ id: 'a'.repeat(128), dsl: DSL }).id).toHaveLength(128);
  });

  describe('status', () => {
    it.each([
      [undefined, 'ACTIVE'],
      [null, 'ACTIVE'],
      ['active', 'ACTIVE'],
      ['Shadow', 'SHADOW'],
      ['DRAFT', 'DRAFT'],
    ])('%j reads as %s', (status, expected) => {
      expect(parsePolicyEntry({ id: 'p', status, dsl: DSL }).status).toBe(expected);
    });

    it.each([
      ['enabled', "did you mean 'ACTIVE'?"],
      ['dry-run', "did you mean 'SHADOW'?"],
      ['dry_run', "did you mean 'SHADOW'?"],
      ['shadw', "did you mean 'SHADOW'?"],
      [true, ''],
    ])('refuses %j with a hint', (status, hint) => {
      const error = refusal({ id: 'p', status, dsl: DSL });
      expect(error.param).toBe('status');
      expect(error.message).toMatch(/^status must be one of ACTIVE, SHADOW, DRAFT/);
      expect(error.message).toContain(hint);
    });
  });

  describe('dsl', () => {
    it('accepts the DSL given as a mapping, as its YAML text', () => {
      const entry = parsePolicyEntry({
        id: 'p',
        dsl: {
          version: '1',
          rules: [{ id: 'r', conditions: { model: { denylist: ['gpt-4*'] } } }],
        },
      });
      expect(typeof entry.dsl).toBe('string');
      const catalog: ProviderCatalog = { known: new Set(), active: new Set() };
      const [rule] = compilePolicy(entry, catalog).rules;
      expect(rule.ruleId).toBe('r');
      expect(rule.action).toBe('DENY');
    });

    it.each([
      [undefined, /dsl must be the policy's YAML text, got nothing/],
      [42, /got the number '42'/],
      [['rules'], /got a list/],
      ['   \n', /dsl is empty/],
      ['x'.repeat(MAX_DSL_LENGTH + 1), /characters long; the limit is 262144/],
    ])('refuses %#', (dsl, message) => {
      const error = refusal({ id: 'p', dsl });
      expect(error.param).toBe('dsl');
      expect(error.message).toMatch(message);
    });

    it('draws the nesting limit where the compiler does', () => {
      const nested = (levels: number) => {
        let value: unknown = 'x';
        for (let i = 0; i < levels; i++) value = [value];
        return { x: value };
      };
      const catalog: ProviderCatalog = { known: new Set(), active: new Set() };
      const entry = parsePolicyEntry({ id: 'p', dsl: nested(32) });
      expect(() => compilePolicy(entry, catalog)).toThrow(
        expect.objectContaining({ param: 'dsl.x' }),
      );
      expect(refusal({ id: 'p', dsl: nested(33) }).message).toMatch(/nests deeper than 32 levels/);
    });

    it('refuses a mapping nested too deep to turn into YAML, as a compile error', () => {
      let nested: unknown = 'x';
      for (let i = 0; i < 5000; i++) nested = { a: nested };
      const error = refusal({ id: 'p', dsl: { rules: nested } });
      expect(error.param).toBe('dsl');
      expect(error.message).toMatch(/nests deeper than 32 levels/);
    });
  });

  it.each([null, 'policy', ['id']])('refuses an entry that is not a mapping: %j', (raw) => {
    const error = refusal(raw);
    expect(error.param).toBe('policy');
    expect(error.message).toMatch(/must be a mapping of id, tenant, status and dsl/);
  });
});
