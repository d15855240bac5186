import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CliIo } from '../../src/cli/cli.io.js';
import { runCli } from '../../src/cli/cli.runner.js';
import { call, TOKEN } from '../helpers/admin-client.js';
import { startGateway } from '../helpers/gateway-harness.js';
import {
  createTestDatabase,
  type TestDatabase,
  TEST_REDIS_URL,
} from '../helpers/storage-harness.js';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

const CONFIG_YAML = `
gateway:
  policies:
    - id: cfg-global
      dsl: |
        rules:
          - id: no-turbo
            conditions:
              model: { denylist: ["gpt-4-turbo*"] }
            deny_message: "gpt-4-turbo is retired"
`;

const POLICIES_YAML = `
- id: no-preview
  dsl: |
    rules:
      - id: no-preview
        conditions:
          model: { denylist: ["*-preview"] }
        deny_message: "preview models are off"
- id: acme-warn
  tenant: acme
  status: shadow
  dsl:
    rules:
      - id: big
        conditions: { max_tokens: { limit: 100 } }
        action: WARN_AGENT
        warn_message: "big answers cost more"
`;

/** `gateway policies ...` (contract 10) against a SQLite database, with a configuration policy. */
describe('CLI: policies', () => {
  let dir: string;
  let env: Record<string, string>;

  async function cli(argv: string[]): Promise<Result> {
    let stdout = '';
    let stderr = '';
    const io: CliIo = {
      env,
      stdout: (text) => void (stdout += text),
      stderr: (text) => void (stderr += text),
      readStdin: () => Promise.resolve(''),
    };
    const code = await runCli(argv, io);
    return { code, stdout, stderr };
  }

  function file(name: string, text: string): string {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-cli-policies-'));
    env = {
      GATEWAY_PROFILE: 'ci',
      LOG_LEVEL: 'silent',
      GATEWAY_DATABASE_URL: `file:${join(dir, 'gateway.db')}`,
      GATEWAY_CONFIG_ADDITIONAL_LOCATION: file('extra.yml', CONFIG_YAML),
    };
    expect((await cli(['tenants', 'create', '--id', 'acme', '--name', 'Acme'])).code).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('applies a file: creates, then leaves equal policies alone, then updates', async () => {
    const path = file('policies.yml', POLICIES_YAML);
    expect(await cli(['policies', 'apply', '-f', path])).toEqual({
      code: 0,
      stdout:
        "Created policy 'no-preview' ((global), ACTIVE).\n" +
        "Created policy 'acme-warn' (acme, SHADOW).\n",
      stderr: '',
    });
    expect((await cli(['policies', 'apply', '--file', path])).stdout).toBe(
      "Unchanged policy 'no-preview' ((global), ACTIVE).\n" +
        "Unchanged policy 'acme-warn' (acme, SHADOW).\n",
    );
    // {policies: [...]} in JSON, with an edit.
    const json = file(
      'policies.json',
      JSON.stringify({
        policies: [
          {
            id: 'acme-warn',
            workspace: 'acme',
            dsl: 'rules:\n  - id: big\n    conditions: { max_tokens: { limit: 100 } }\n    action: WARN_AGENT\n    warn_message: "big answers cost more"\n',
          },
        ],
      }),
    );
    const updated = await cli(['policies', 'apply', '-f', json, '--json']);
    expect(updated.code).toBe(0);
    expect(JSON.parse(updated.stdout)).toEqual([
      {
        result: 'updated',
        policy: expect.objectContaining({
          object: 'policy',
          id: 'acme-warn',
          tenant: 'acme',
          status: 'ACTIVE',
          source: 'api',
          read_only: false,
        }),
      },
    ]);
  });

  it('lists and gets policies, configuration ones included', async () => {
    const list = await cli(['policies', 'list']);
    expect(list.code).toBe(0);
    const lines = list.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+TENANT\s+STATUS\s+SOURCE\s+READ-ONLY\s+UPDATED$/);
    expect(lines.slice(1).map((line) => line.split(/\s+/).slice(0, 5))).toEqual([
      ['acme-warn', 'acme', 'ACTIVE', 'api', 'no'],
      ['cfg-global', '(global)', 'ACTIVE', 'config', 'yes'],
      ['no-preview', '(global)', 'ACTIVE', 'api', 'no'],
    ]);
    const acme = JSON.parse((await cli(['policies', 'list', '--tenant', 'acme', '--json'])).stdout);
    expect(acme.map((p: any) => p.id)).toEqual(['acme-warn']);

    const got = await cli(['policies', 'get', 'cfg-global']);
    expect(got.code).toBe(0);
    expect(got.stdout).toMatch(/^id: +cfg-global\ntenant: +\(global\)\nstatus: +ACTIVE\n/);
    expect(got.stdout).toContain('source:   config (read-only)');
    expect(got.stdout).toContain('deny_message: "gpt-4-turbo is retired"');
    const json = JSON.parse((await cli(['policies', 'get', 'no-preview', '--json'])).stdout);
    expect(json).toMatchObject({ id: 'no-preview', tenant: null, source: 'api' });
  });

  it('dry-runs a request file, against the policies in force or a draft', async () => {
    const request = file('request.json', JSON.stringify({ model: 'gpt-4o-preview' }));
    expect(await cli(['policies', 'dry-run', '-f', request])).toEqual({
      code: 0,
      stdout:
        'Decision: DENY\n' +
        'Message:  preview models are off\n' +
        '\n' +
        'POLICY      RULE        ACTION\n' +
        'no-preview  no-preview  DENY\n',
      stderr: '',
    });
    const big = file('big.yml', 'model: gpt-4o\nmax_tokens: 500\n');
    const warned = JSON.parse(
      (await cli(['policies', 'dry-run', '-f', big, '--tenant', 'acme', '--json'])).stdout,
    );
    expect(warned).toEqual({
      decision: 'WARN',
      matched: [{ policy_id: 'acme-warn', rule_id: 'big', action: 'WARN_AGENT' }],
      message: null,
      warnings: ['big answers cost more'],
      route_to: null,
    });
    const draft = file(
      'draft.yml',
      'rules:\n  - id: to-mock\n    conditions: { model: { denylist: ["gpt-4o*"] } }\n    action: ROUTE\n    route_to: { provider: mock, model: mock-1 }\n',
    );
    const routed = await cli(['policies', 'dry-run', '-f', request, '--dsl-file', draft]);
    expect(routed.stdout).toBe(
      'Decision: ROUTE\n' +
        'Route to: mock (model mock-1)\n' +
        '\n' +
        'POLICY  RULE     ACTION\n' +
        'draft   to-mock  ROUTE\n',
    );
    const allowed = await cli(['policies', 'dry-run', '-f', file('ok.json', '{"model":"gpt-4o"}')]);
    expect(allowed.stdout).toBe('Decision: ALLOW\n');
  });

  it('refuses read-only policies, unknown ones and invalid files, writing nothing', async () => {
    // Configuration policies carry the time the CLI loaded them: compare the stored ones.
    const stored = async () =>
      JSON.parse((await cli(['policies', 'list', '--json'])).stdout).filter(
        (p: any) => p.source !== 'config',
      );
    const before = await stored();
    const fail = async (argv: string[], message: string | RegExp) => {
      const result = await cli(argv);
      expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 1, stdout: '' });
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    };
    await fail(
      ['policies', 'delete', 'cfg-global'],
      /^gateway policies delete: Policy 'cfg-global' comes from the configuration/,
    );
    await fail(
      ['policies', 'delete', 'nothing'],
      "gateway policies delete: Policy 'nothing' does not exist.\n",
    );
    await fail(
      ['policies', 'get', 'nothing'],
      "gateway policies get: Policy 'nothing' does not exist.\n",
    );
    // All or nothing: the first entry is valid, the second read-only.
    const mixed = file(
      'mixed.yml',
      `- { id: fresh, dsl: "rules: [{ id: r, conditions: { model: { denylist: [x] } } }]" }\n` +
        `- { id: cfg-global, dsl: "rules: [{ id: r, conditions: { model: { denylist: [x] } } }]" }\n`,
    );
    await fail(
      ['policies', 'apply', '-f', mixed],
      /Policy 'cfg-global' comes from the configuration/,
    );
    const invalid = file('invalid.yml', 'id: broken\ndsl: "rules: [{ id: r1, conditions: {} }]"\n');
    await fail(
      ['policies', 'apply', '-f', invalid],
      new RegExp(`^gateway policies apply: ${invalid} \\(policy 'broken'\\) at r1\\.conditions: `),
    );
    await fail(
      ['policies', 'apply', '-f', file('noid.yml', 'dsl: "rules: []"\n')],
      /has no id; apply creates or replaces policies by id/,
    );
    await fail(
      [
        'policies',
        'apply',
        '-f',
        file(
          'typo.yml',
          'id: t\ntenant: acme-typo\ndsl: "rules: [{ id: r, conditions: { model: { denylist: [x] } } }]"\n',
        ),
      ],
      "gateway policies apply: Tenant 'acme-typo' does not exist.\n",
    );
    await fail(['policies', 'apply', '-f', file('yaml.yml', 'id: [\n')], /invalid YAML at line/);
    await fail(
      ['policies', 'apply', '-f', join(dir, 'absent.yml')],
      /cannot read .*absent\.yml \(ENOENT\)/,
    );
    await fail(
      ['policies', 'dry-run', '-f', file('nomodel.json', '{}')],
      'gateway policies dry-run: request.model must be a non-empty string.\n',
    );
    expect(await stored()).toEqual(before);
  });

  it('reports usage errors with exit code 2', async () => {
    for (const [argv, message] of [
      [['policies', 'apply'], 'gateway policies apply: --file is required.\n'],
      [['policies', 'get'], 'gateway policies get: <id> is required.\n'],
      [
        ['policies', 'list', '--tenant', 'Not Valid'],
        /^gateway policies list: --tenant must be a tenant id/,
      ],
      [['policies', 'get', '_bad'], /^gateway policies get: <id> must be a policy id/],
      [
        ['policies', 'dry-run', '-f'],
        /^gateway policies dry-run: Option '-f, --file <value>' argument missing/,
      ],
      [['policies', 'launch'], /^gateway: unknown command 'policies launch'/],
    ] as const) {
      const result = await cli([...argv]);
      expect({ argv, code: result.code, stdout: result.stdout }).toEqual({
        argv,
        code: 2,
        stdout: '',
      });
      expect(result.stderr).toMatch(message);
    }
    const help = await cli(['policies', '--help']);
    expect(help.code).toBe(0);
    for (const command of ['list', 'get', 'apply', 'delete', 'dry-run']) {
      expect(help.stdout).toContain(`gateway policies ${command}`);
    }
  });

  it('changes what a running gateway enforces, without a restart', async () => {
    const gw = await startGateway({
      env: { GATEWAY_DATABASE_URL: env.GATEWAY_DATABASE_URL, GATEWAY_ADMIN_TOKEN: TOKEN },
    });
    const decision = async () =>
      (
        await call(gw, 'POST', '/v1/admin/policies/dry-run', {
          body: { request: { model: 'gpt-4o-preview' } },
        })
      ).body.decision;
    const eventually = async (expected: string) => {
      const deadline = Date.now() + 3_000;
      let seen = await decision();
      while (seen !== expected && Date.now() < deadline) {
        await new Promise((done) => setTimeout(done, 100));
        seen = await decision();
      }
      return seen;
    };
    try {
      expect(await decision()).toBe('DENY');
      expect(await cli(['policies', 'delete', 'no-preview'])).toEqual({
        code: 0,
        stdout: "Deleted policy 'no-preview'.\n",
        stderr: '',
      });
      expect(await eventually('ALLOW')).toBe('ALLOW');
      expect((await cli(['policies', 'apply', '-f', join(dir, 'policies.yml')])).code).toBe(0);
      expect(await eventually('DENY')).toBe('DENY');
    } finally {
      await gw.close();
    }
  });
});

describe('CLI: policies on PostgreSQL with Redis', () => {
  let db: TestDatabase;
  let dir: string;
  let env: Record<string, string>;
  const prefix = `cli-policies-e2e-${process.pid}-${Date.now()}:`;

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    dir = mkdtempSync(join(tmpdir(), 'gw-cli-policies-pg-'));
    const extra = join(dir, 'extra.yml');
    // Polling once a minute: a change that arrives within seconds came over pub/sub.
    writeFileSync(
      extra,
      `gateway:\n  redis:\n    key-prefix: '${prefix}'\n  policy:\n    reload-interval-ms: 60000\n`,
    );
    env = {
      GATEWAY_PROFILE: 'ci',
      LOG_LEVEL: 'silent',
      GATEWAY_DATABASE_URL: db.url,
      GATEWAY_REDIS_URL: TEST_REDIS_URL,
      GATEWAY_CONFIG_ADDITIONAL_LOCATION: extra,
    };
  });
  afterAll(async () => {
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('announces a write to running gateways at once', async () => {
    const io = (out: string[]): CliIo => ({
      env,
      stdout: (text) => void out.push(text),
      stderr: (text) => void out.push(text),
      readStdin: () => Promise.resolve(''),
    });
    const gw = await startGateway({ env: { ...env, GATEWAY_ADMIN_TOKEN: TOKEN } });
    const decision = async () =>
      (
        await call(gw, 'POST', '/v1/admin/policies/dry-run', {
          body: { request: { model: 'gpt-4o-preview' } },
        })
      ).body.decision;
    try {
      expect(await decision()).toBe('ALLOW');
      const path = join(dir, 'p.yml');
      writeFileSync(
        path,
        'id: pg-deny\ndsl: "rules: [{ id: r, conditions: { model: { denylist: [\'*-preview\'] } } }]"\n',
      );
      const out: string[] = [];
      expect(await runCli(['policies', 'apply', '-f', path], io(out))).toBe(0);
      expect(out.join('')).toBe("Created policy 'pg-deny' ((global), ACTIVE).\n");
      const deadline = Date.now() + 2_000;
      let seen = await decision();
      while (seen !== 'DENY' && Date.now() < deadline) {
        await new Promise((done) => setTimeout(done, 50));
        seen = await decision();
      }
      expect(seen).toBe('DENY');
      expect(await runCli(['policies', 'delete', 'pg-deny'], io([]))).toBe(0);
    } finally {
      await gw.close();
    }
  });
});

describe('CLI: policies (dist/cli.js)', () => {
  const cliPath = resolve('dist/cli.js');
  const run = existsSync(cliPath) ? it : it.skip;

  run('applies and lists policies as a real process', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-cli-policies-spawn-'));
    try {
      const spawnEnv = {
        ...process.env,
        GATEWAY_PROFILE: 'ci',
        LOG_LEVEL: 'silent',
        GATEWAY_DATABASE_URL: `file:${join(dir, 'gateway.db')}`,
      };
      const exec = (args: string[]) =>
        spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', env: spawnEnv });
      const path = join(dir, 'p.yml');
      writeFileSync(
        path,
        'id: spawned\ndsl: "rules: [{ id: r, conditions: { model: { denylist: [x] } } }]"\n',
      );
      const applied = exec(['policies', 'apply', '-f', path]);
      expect({ status: applied.status, stdout: applied.stdout, stderr: applied.stderr }).toEqual({
        status: 0,
        stdout: "Created policy 'spawned' ((global), ACTIVE).\n",
        stderr: '',
      });
      const listed = exec(['policies', 'list', '--json']);
      expect(listed.status).toBe(0);
      expect(JSON.parse(listed.stdout).map((p: any) => p.id)).toEqual(['spawned']);
      expect(exec(['policies', 'apply']).status).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
