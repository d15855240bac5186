import { placeDslError } from './dsl-errors.js';

const DSL = [
  'version: "1"',
  'rules:',
  '  - id: no-turbo',
  '    conditions:',
  '      model: { denylist: ["gpt-4-turbo*"] }',
  '  - id: eu.only:1',
  '    conditions:',
  '      modle: { allowlist: [a, b] }',
  '      tools:',
  '        denylist:',
  '          - shell',
  '          - "fs_*"',
  '    action: shadow',
  '',
].join('\n');

describe('placeDslError', () => {
  it('finds the key of a rule by id, even an id with dots', () => {
    expect(placeDslError(DSL, 'eu.only:1.conditions.modle')).toEqual({
      line: 8,
      path: 'rule eu.only:1 › conditions › modle',
    });
    expect(placeDslError(DSL, 'eu.only:1.action').line).toBe(13);
    expect(placeDslError(DSL, 'no-turbo.conditions.model.denylist').line).toBe(5);
  });

  it('follows list indexes', () => {
    expect(placeDslError(DSL, 'eu.only:1.conditions.tools.denylist[1]')).toEqual({
      line: 12,
      path: 'rule eu.only:1 › conditions › tools › denylist › [1]',
    });
  });

  it('finds a rule without a usable id by its place', () => {
    expect(placeDslError(DSL, 'rules[1].conditions').line).toBe(7);
  });

  it('points at the deepest key that exists when the rest does not', () => {
    expect(placeDslError(DSL, 'no-turbo.conditions.nothing.here').line).toBe(4);
  });

  it('places a top-level key, and leaves `dsl` without a line', () => {
    expect(placeDslError(DSL, 'version').line).toBe(1);
    expect(placeDslError(DSL, 'dsl')).toEqual({ line: null, path: 'policy' });
    expect(placeDslError(DSL, null).line).toBeNull();
  });

  it('places a YAML syntax error where the parser finds it', () => {
    const broken = 'rules:\n  - id: a\n    deny_message: "a "quoted" word"\n';
    expect(placeDslError(broken, 'dsl')).toEqual({ line: 3, path: 'YAML syntax' });
  });
});
