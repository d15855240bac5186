import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';
import { BootstrapFileError, loadBootstrapFile } from './bootstrap-file.loader.js';

const KEY = `gw_${'ab'.repeat(20)}`;
const dir = mkdtempSync(join(tmpdir(), 'gw-bootstrap-'));
let files = 0;

function fileWith(yaml: string): string {
  const file = join(dir, `bootstrap-${(files += 1)}.yml`);
  writeFileSync(file, yaml);
  return file;
}

function problem(yaml: string, env: Record<string, string> = {}): string {
  const file = fileWith(yaml);
  try {
    loadBootstrapFile(file, env);
  } catch (err) {
    expect(err).toBeInstanceOf(BootstrapFileError);
    const message = (err as Error).message;
    expect(message.startsWith(`Bootstrap file ${file}: `)).toBe(true);
    return message.slice(`Bootstrap file ${file}: `.length);
  }
  throw new Error('the file was accepted');
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe(loadBootstrapFile.name, () => {
  it('plans tenants and keys, interpolating ${VAR:default} as the configuration does', () => {
    const file = fileWith(`
tenants:
  - id: acme
    name: \${ACME_NAME:Acme Corp}
    region: eu
    tags: { team: payments }
    settings:
      pii_action: redact
      rate_limits: { requests_per_minute: 600 }
    keys:
      - name: ci
        scopes: [completions:write, models:read]
        key: \${ACME_CI_KEY}
      - name: app
  - id: beta
    name: Beta
`);
    const plan = loadBootstrapFile(file, { ACME_CI_KEY: KEY });
    expect(plan.file).toBe(file);
    expect(plan.tenants).toEqual([
      {
        tenant: {
          id: 'acme',
          name: 'Acme Corp',
          status: undefined,
          region: 'eu',
          tags: { team: 'payments' },
          settings: { piiAction: 'REDACT', rateLimits: { requestsPerMinute: 600 } },
          credentials: undefined,
        },
        keys: [
          {
            name: 'ci',
            scopes: ['completions:write', 'models:read'],
            plaintext: KEY,
            path: 'tenants[0].keys[0]',
          },
          { name: 'app', scopes: undefined, plaintext: undefined, path: 'tenants[0].keys[1]' },
        ],
      },
      {
        tenant: expect.objectContaining({ id: 'beta', name: 'Beta' }),
        keys: [],
      },
    ]);
  });

  it('reads the shipped example, config/bootstrap.example.yml', () => {
    const example = fileURLToPath(
      new URL('../../../config/bootstrap.example.yml', import.meta.url),
    );
    const plan = loadBootstrapFile(example, { ACME_CI_KEY: KEY });
    expect(plan.tenants.map((t) => t.tenant.id)).toEqual(['acme']);
    expect(plan.tenants[0]?.keys.map((k) => [k.name, k.plaintext])).toEqual([
      ['ci', KEY],
      ['app', undefined],
    ]);
    expect(plan.policies.map((p) => p.path)).toEqual(['policies[0]', 'policies[1]']);
  });

  it('needs a tenants list, a policies list or both, which may be empty', () => {
    expect(problem('')).toBe(
      'the document must be a mapping with a `tenants:`, `policies:` or `budgets:` list, or several',
    );
    expect(problem('tenants: {}\n')).toBe('tenants must be an array');
    expect(problem('policies: {}\n')).toBe('policies must be an array');
    expect(loadBootstrapFile(fileWith('tenants: []\n'), {})).toMatchObject({
      tenants: [],
      policies: [],
    });
    expect(loadBootstrapFile(fileWith('policies: []\n'), {})).toMatchObject({
      tenants: [],
      policies: [],
    });
  });

  it('plans policy entries as written, interpolated, for the policy engine to check', () => {
    const file = fileWith(`
policies:
  - id: no-turbo
    workspace: acme
    dsl: |
      rules:
        - id: r
          conditions: { model: { denylist: ["\${DENIED:gpt-4-turbo*}"] } }
  - id: broken
    colour: red
    dsl: { rules: [] }
  - just a string
`);
    expect(loadBootstrapFile(file, {}).policies).toEqual([
      {
        path: 'policies[0]',
        entry: {
          id: 'no-turbo',
          workspace: 'acme',
          dsl: 'rules:\n  - id: r\n    conditions: { model: { denylist: ["gpt-4-turbo*"] } }\n',
        },
      },
      { path: 'policies[1]', entry: { id: 'broken', colour: 'red', dsl: { rules: [] } } },
      { path: 'policies[2]', entry: 'just a string' },
    ]);
  });

  it('names the variable of a missing or malformed key, never the value', () => {
    const yaml =
      'tenants:\n  - id: acme\n    name: Acme\n    keys:\n      - name: ci\n        key: ${ACME_CI_KEY}\n';
    expect(problem(yaml)).toBe(
      'tenants[0].keys[0].key (from ${ACME_CI_KEY}) must be a gateway key, gw_ + 40 lowercase hex (it is empty: is its environment variable set?)',
    );
    const wrong = 'sk-live-not-a-gateway-key';
    const message = problem(yaml, { ACME_CI_KEY: wrong });
    expect(message).toContain('(from ${ACME_CI_KEY}) must be a gateway key');
    expect(message).not.toContain(wrong);
    const literal = yaml.replace('${ACME_CI_KEY}', `${KEY.toUpperCase()}`);
    expect(problem(literal)).not.toContain(KEY.toUpperCase());
  });

  it('refuses duplicates: tenant ids, key names in a tenant, one key twice', () => {
    expect(problem('tenants:\n  - { id: a, name: A }\n  - { id: a, name: B }\n')).toBe(
      "tenants[1].id: tenant 'a' is listed twice",
    );
    expect(
      problem('tenants:\n  - id: a\n    name: A\n    keys: [{ name: ci }, { name: ci }]\n'),
    ).toBe("tenants[0].keys[1].name: tenant 'a' has two keys named 'ci'");
    const twice = `tenants:\n  - id: a\n    name: A\n    keys: [{ name: one, key: ${KEY} }]\n  - id: b\n    name: B\n    keys: [{ name: two, key: ${KEY} }]\n`;
    expect(problem(twice)).toBe('tenants[1].keys[0].key is the same key as tenants[0].keys[0].key');
  });

  it('reports the first invalid field with its path, as the admin API would', () => {
    expect(problem('tenants:\n  - { id: Acme, name: A }\n')).toBe(
      'tenants[0].id must match [a-z0-9][a-z0-9-]{0,62}',
    );
    expect(
      problem('tenants:\n  - id: a\n    name: A\n    keys: [{ name: ci, scopes: [admin] }]\n'),
    ).toBe(
      'tenants[0].keys[0].scopes must hold only completions:write, embeddings:write, models:read',
    );
    expect(problem('tenants:\n  - { id: a, name: A, colour: red }\n')).toBe(
      "unknown field 'tenants[0].colour'",
    );
    expect(problem('tenants: []\nextra: 1\n')).toBe("unknown field 'extra'");
    expect(problem('tenants:\n  - { name: A }\n')).toBe('tenants[0].id must be a string');
    expect(problem('tenants:\n  - { id: a, name: A, settings: [] }\n')).toBe(
      'tenants[0].settings must be an object',
    );
  });

  it('reports YAML errors and unreadable files', () => {
    expect(problem('tenants:\n  - id: a\n    id: b\n')).toMatch(/^invalid YAML at line 3: /);
    expect(problem('- a\n- b\n')).toBe(
      'the document must be a mapping with a `tenants:`, `policies:` or `budgets:` list, or several',
    );
    const missing = join(dir, 'missing.yml');
    expect(() => loadBootstrapFile(missing, {})).toThrow(
      `Bootstrap file ${missing}: cannot be read (ENOENT)`,
    );
  });

  it('refuses list entries that are not mappings, and aliases to no anchor, as a clear problem', () => {
    expect(problem('tenants:\n  - []\n')).toMatch(/tenants must hold only objects/);
    expect(problem('tenants:\n  - id: acme\n    name: Acme\n    keys: [[]]\n')).toMatch(
      /keys must hold only objects/,
    );
    expect(problem('budgets: [7]\n')).toMatch(/budgets must hold only objects/);
    expect(problem('tenants: *nowhere\n')).toMatch(/^invalid YAML: .*alias/i);
  });
});
