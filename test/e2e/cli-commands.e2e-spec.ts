import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CliIo } from '../../src/cli/cli.io.js';
import { runCli } from '../../src/cli/cli.runner.js';
import { startGateway } from '../helpers/gateway-harness.js';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

describe('CLI (runCli) against a SQLite database', () => {
  let dir: string;
  let env: Record<string, string>;

  async function cli(argv: string[], stdin = ''): Promise<Result> {
    let stdout = '';
    let stderr = '';
    const io: CliIo = {
      env,
      stdout: (text) => void (stdout += text),
      stderr: (text) => void (stderr += text),
      readStdin: () => Promise.resolve(stdin),
    };
    const code = await runCli(argv, io);
    return { code, stdout, stderr };
  }

  /** Everything stored: the SQLite file and its write-ahead log. */
  function storedBytes(): string {
    return readdirSync(dir)
      .filter((name) => name.startsWith('gateway.db'))
      .map((name) => readFileSync(join(dir, name)).toString('latin1'))
      .join('');
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gw-cli-e2e-'));
    env = {
      GATEWAY_PROFILE: 'ci',
      LOG_LEVEL: 'silent',
      GATEWAY_DATABASE_URL: `file:${join(dir, 'gateway.db')}`,
    };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('migrates the database, once', async () => {
    const first = await cli(['db', 'migrate']);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toMatch(/^SQLite at .*gateway\.db: applied \d{4}-/);
    const again = await cli(['db', 'migrate']);
    expect(again).toMatchObject({ code: 0, stderr: '' });
    expect(again.stdout).toMatch(/the schema is current\.\n$/);
    const json = await cli(['db', 'migrate', '--json']);
    expect(JSON.parse(json.stdout)).toEqual({
      database: expect.stringContaining('SQLite at'),
      applied: [],
    });
  });

  it('creates and lists tenants', async () => {
    const created = await cli([
      'tenants',
      'create',
      '--id',
      'acme',
      '--name',
      'Acme Corp',
      '--region',
      'eu',
    ]);
    expect(created).toEqual({
      code: 0,
      stdout: "Created tenant 'acme' (Acme Corp).\n",
      stderr: '',
    });
    const json = await cli(['tenants', 'create', '--name', 'Beta Inc', '--json']);
    expect(json.code).toBe(0);
    const beta = JSON.parse(json.stdout);
    expect(beta).toMatchObject({ object: 'tenant', name: 'Beta Inc', status: 'active' });
    expect(beta.id).toMatch(/^beta-inc-[0-9a-f]{8}$/);

    const taken = await cli(['tenants', 'create', '--id', 'acme', '--name', 'Again']);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toBe("gateway tenants create: A tenant with id 'acme' already exists.\n");

    const list = await cli(['tenants', 'list']);
    expect(list.code).toBe(0);
    const lines = list.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+STATUS\s+REGION\s+CREATED$/);
    expect(lines[1]).toMatch(/^acme\s+Acme Corp\s+active\s+eu\s+\d{4}-/);
    expect(lines[2]).toMatch(new RegExp(`^${beta.id}\\s+Beta Inc\\s+active\\s+-\\s+`));
    const listed = JSON.parse((await cli(['tenants', 'list', '--json'])).stdout);
    expect(listed.map((t: any) => t.id)).toEqual(['acme', beta.id]);
  });

  it('creates, lists, fingerprints, rotates and revokes keys; a created key works on the gateway', async () => {
    const created = await cli([
      'keys',
      'create',
      '--tenant',
      'acme',
      '--name',
      'ci',
      '--scopes',
      'models:read,completions:write',
    ]);
    expect(created.code).toBe(0);
    // The key alone on stdout, so scripts can capture it; the notes on stderr.
    expect(created.stdout).toMatch(/^gw_[0-9a-f]{40}\n$/);
    const key = created.stdout.trim();
    expect(created.stderr).toMatch(
      /^Created API key key_[0-9a-f]+ 'ci' for tenant 'acme' \(scopes models:read, completions:write\)\. Store this key now/,
    );

    const list = await cli(['keys', 'list', '--tenant', 'acme']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^ID\s+NAME\s+KEY\s+SCOPES\s+STATUS\s+EXPIRES\s+LAST USED\n/);
    expect(list.stdout).toContain(`${key.slice(0, 7)}…`);
    expect(list.stdout).not.toContain(key);
    const [row] = JSON.parse((await cli(['keys', 'list', '--tenant', 'acme', '--json'])).stdout);
    expect(row).toMatchObject({
      name: 'ci',
      tenant_id: 'acme',
      scopes: ['models:read', 'completions:write'],
    });
    expect(JSON.stringify(row)).not.toContain(key);

    // keys hash prints the SHA-256 the store keeps, and the store keeps only that.
    const hash = await cli(['keys', 'hash'], `${key}\n`);
    const sha256 = createHash('sha256').update(key).digest('hex');
    expect(hash).toEqual({ code: 0, stdout: `${sha256}\n`, stderr: '' });
    const stored = storedBytes();
    expect(stored).toContain(sha256);
    expect(stored).not.toContain(key);

    // The key authenticates on a gateway running on the same database. Its key cache is off here:
    // without Redis, changes made by another process reach a running gateway only when its cached
    // lookups expire (auth.key-cache-ttl-ms).
    const gw = await startGateway({
      env: { GATEWAY_DATABASE_URL: env.GATEWAY_DATABASE_URL },
      yaml: 'gateway:\n  auth:\n    required: true\n    key-cache-ttl-ms: 0\n',
    });
    const models = async (k: string) => {
      const response = await fetch(`${gw.url}/v1/models`, {
        headers: { authorization: `Bearer ${k}` },
      });
      return { status: response.status, code: ((await response.json()) as any).error?.code };
    };
    try {
      expect(await models(key)).toEqual({ status: 200, code: undefined });

      const rotated = await cli(['keys', 'rotate', row.id, '--grace-seconds', '0']);
      expect(rotated.code).toBe(0);
      const newKey = rotated.stdout.trim();
      expect(newKey).toMatch(/^gw_[0-9a-f]{40}$/);
      expect(rotated.stderr).toMatch(
        new RegExp(`^Rotated API key ${row.id} into key_[0-9a-f]+; ${row.id} keeps working until `),
      );
      expect(await models(key)).toEqual({ status: 401, code: 'api_key_expired' });
      expect(await models(newKey)).toEqual({ status: 200, code: undefined });

      const newId = JSON.parse(
        (await cli(['keys', 'list', '--tenant', 'acme', '--json'])).stdout,
      ).find((k: any) => k.status === 'active').id;
      const revoked = await cli(['keys', 'revoke', newId]);
      expect(revoked).toEqual({
        code: 0,
        stdout: `Revoked API key ${newId} 'ci' of tenant 'acme'.\n`,
        stderr: '',
      });
      expect(await models(newKey)).toEqual({ status: 401, code: 'api_key_revoked' });
    } finally {
      await gw.close();
    }
  });

  it('creates a key with an expiry, as JSON', async () => {
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const created = await cli([
      'keys',
      'create',
      '--tenant',
      'acme',
      '--expires-at',
      expiresAt,
      '--json',
    ]);
    expect(created.code).toBe(0);
    const body = JSON.parse(created.stdout);
    expect(body).toMatchObject({ name: 'default', expires_at: expiresAt, status: 'active' });
    expect(body.key).toMatch(/^gw_[0-9a-f]{40}$/);
  });

  it('fails with exit code 1 and a one-line reason on stderr', async () => {
    for (const [argv, message] of [
      [
        ['keys', 'create', '--tenant', 'nobody'],
        "gateway keys create: Tenant 'nobody' does not exist.\n",
      ],
      [
        ['keys', 'list', '--tenant', 'nobody'],
        "gateway keys list: Tenant 'nobody' does not exist.\n",
      ],
      [
        ['keys', 'revoke', 'key_ffffffffffffffff'],
        "gateway keys revoke: API key 'key_ffffffffffffffff' does not exist.\n",
      ],
      [
        ['keys', 'rotate', 'key_ffffffffffffffff'],
        "gateway keys rotate: API key 'key_ffffffffffffffff' does not exist.\n",
      ],
    ] as const) {
      expect(await cli([...argv])).toEqual({ code: 1, stdout: '', stderr: message });
    }
  });

  it('reports an unreachable database with exit code 1', async () => {
    const saved = env;
    env = { ...env, GATEWAY_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/nothing' };
    try {
      const result = await cli(['tenants', 'list']);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /^gateway tenants list: Storage is not reachable: PostgreSQL at 127\.0\.0\.1:1\/nothing/,
      );
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    } finally {
      env = saved;
    }
  });
});

describe('CLI (dist/cli.js)', () => {
  const cliPath = resolve('dist/cli.js');
  const built = existsSync(cliPath);
  const run = built ? it : it.skip;

  run('runs as a real process: help, usage errors, keys hash', () => {
    const help = spawnSync(process.execPath, [cliPath, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: gateway <command>');
    const usage = spawnSync(process.execPath, [cliPath, 'keys', 'launch'], { encoding: 'utf8' });
    expect(usage.status).toBe(2);
    const key = `gw_${'d4'.repeat(20)}`;
    const hash = spawnSync(process.execPath, [cliPath, 'keys', 'hash'], {
      encoding: 'utf8',
      input: `${key}\n`,
    });
    expect({ status: hash.status, stdout: hash.stdout, stderr: hash.stderr }).toEqual({
      status: 0,
      stdout: `${createHash('sha256').update(key).digest('hex')}\n`,
      stderr: '',
    });
  });

  run('runs against a database', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-cli-spawn-'));
    try {
      const spawnEnv = {
        ...process.env,
        GATEWAY_PROFILE: 'ci',
        LOG_LEVEL: 'silent',
        GATEWAY_DATABASE_URL: `file:${join(dir, 'gateway.db')}`,
      };
      const exec = (args: string[]) =>
        spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', env: spawnEnv });
      expect(exec(['tenants', 'create', '--id', 'spawned', '--name', 'Spawned']).status).toBe(0);
      const created = exec(['keys', 'create', '--tenant', 'spawned']);
      expect(created.status).toBe(0);
      expect(created.stdout).toMatch(/^gw_[0-9a-f]{40}\n$/);
      const failed = exec(['keys', 'list', '--tenant', 'nobody']);
      expect(failed.status).toBe(1);
      expect(failed.stderr).toBe("gateway keys list: Tenant 'nobody' does not exist.\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
