import { describe, expect, it } from '@jest/globals';
import { hashApiKey } from '../governance/auth/api-key.secret.js';
import type { CliIo } from './cli.io.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, runCli } from './cli.runner.js';

interface Captured {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function run(
  argv: string[],
  stdin = '',
  env: Record<string, string> = {},
): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    env: { GATEWAY_PROFILE: 'ci', LOG_LEVEL: 'silent', ...env },
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    readStdin: () => Promise.resolve(stdin),
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

describe(runCli.name, () => {
  it('prints the usage: on --help to stdout (0), without a command to stderr (2)', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(EXIT_OK);
    for (const command of ['keys create', 'keys list', 'keys revoke', 'keys rotate', 'keys hash']) {
      expect(help.stdout).toContain(`gateway ${command}`);
    }
    expect(help.stdout).toContain('gateway tenants create');
    expect(help.stdout).toContain('gateway db migrate');
    expect(help.stdout).toContain('Exit codes: 0 done, 1 failed, 2 usage error.');
    expect(help.stderr).toBe('');

    const none = await run([]);
    expect(none.code).toBe(EXIT_USAGE);
    expect(none.stderr).toContain('Usage: gateway <command>');
    expect(none.stdout).toBe('');
  });

  it('prints a group or command help', async () => {
    const group = await run(['keys', '--help']);
    expect(group.code).toBe(EXIT_OK);
    expect(group.stdout).toContain('gateway keys rotate');
    expect(group.stdout).not.toContain('gateway tenants create');
    expect((await run(['help', 'tenants'])).stdout).toContain('gateway tenants list');

    const command = await run(['keys', 'create', '--help']);
    expect(command.code).toBe(EXIT_OK);
    expect(command.stdout).toContain(
      'Usage: gateway keys create --tenant <id> [--name <name>] [--scopes <a,b>] [--expires-at <iso>] [--json]',
    );
  });

  it('answers usage errors with exit code 2 and the reason on stderr', async () => {
    const cases: [string[], string][] = [
      [['keys'], "'keys' needs a command"],
      [['keys', 'delete'], "unknown command 'keys delete'"],
      [['launch'], "unknown command 'launch'"],
      [['keys', 'create'], '--tenant is required.'],
      [['keys', 'create', '--tenant'], "Option '--tenant <value>' argument missing"],
      [['keys', 'create', '--tenant', 'acme', '--colour', 'red'], "Unknown option '--colour'"],
      [['keys', 'create', '--tenant', 'Not An Id'], '--tenant must be a tenant id'],
      [['keys', 'create', '--tenant', 'acme', '--scopes', 'admin'], '--scopes must hold only'],
      [
        ['keys', 'create', '--tenant', 'acme', '--expires-at', '2001-01-01T00:00:00Z'],
        '--expires-at must be in the future',
      ],
      [['keys', 'revoke'], '<keyId> is required.'],
      [['keys', 'revoke', 'key_1', 'key_2'], "unexpected argument 'key_2'"],
      [
        ['keys', 'rotate', 'key_1', '--grace-seconds', 'soon'],
        '--grace-seconds must be an integer',
      ],
      [['keys', 'rotate', 'key_1', '--grace-seconds=-5'], '--grace-seconds must not be less'],
      [
        ['keys', 'rotate', 'key_1', '--grace-seconds', '-5'],
        "'--grace-seconds' argument is ambiguous",
      ],
      [['tenants', 'create', '--id', 'acme'], '--name is required.'],
    ];
    for (const [argv, message] of cases) {
      const result = await run(argv);
      expect({ argv, code: result.code }).toEqual({ argv, code: EXIT_USAGE });
      expect(result.stderr).toContain(message);
      expect(result.stdout).toBe('');
    }
  });

  it('fingerprints a key read from stdin as the store does', async () => {
    const key = `gw_${'c3'.repeat(20)}`;
    const result = await run(['keys', 'hash'], `${key}\n`);
    expect(result).toEqual({ code: EXIT_OK, stdout: `${hashApiKey(key)}\n`, stderr: '' });
    const bad = await run(['keys', 'hash'], 'not-a-key\n');
    expect(bad.code).toBe(EXIT_USAGE);
    expect(bad.stderr).toContain('stdin does not hold a gateway key');
    expect(bad.stderr).not.toContain('not-a-key');
  });

  it('reports a failure with exit code 1 and no stack', async () => {
    const result = await run(['db', 'migrate'], '', { GATEWAY_DATABASE_URL: 'mysql://db/x' });
    expect(result.code).toBe(EXIT_FAILURE);
    expect(result.stderr).toMatch(/^gateway db migrate: GATEWAY_DATABASE_URL is a 'mysql:' URL/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
