import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from '../../src/cli/cli.io.js';
import { runCli } from '../../src/cli/cli.runner.js';
import { postJson, startGateway } from '../helpers/gateway-harness.js';

const SECRET = 'cli-audit-secret-0123456789abcdefghijklm';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** `gateway audit verify|keygen`, and a gateway's chain across restarts, through its JSONL file. */
describe('audit CLI and chain continuity', () => {
  let dir: string;
  let env: Record<string, string>;
  let privatePem: string;
  let publicKeyFile: string;
  const auditFile = () => join(dir, 'audit.jsonl');

  async function cli(argv: string[], extra: Record<string, string> = {}): Promise<Result> {
    let stdout = '';
    let stderr = '';
    const io: CliIo = {
      env: { ...env, ...extra },
      stdout: (text) => void (stdout += text),
      stderr: (text) => void (stderr += text),
      readStdin: () => Promise.resolve(''),
    };
    return { code: await runCli(argv, io), stdout, stderr };
  }

  /** A gateway on the shared SQLite file, with the signing key and the JSONL mirror; n calls. */
  async function runGateway(calls: number) {
    const gw = await startGateway({
      env: {
        ...env,
        GATEWAY_INSTANCE_ID: 'replica-1',
        GATEWAY_AUDIT_SIGNING_KEY: privatePem,
        GATEWAY_AUDIT_FILE: auditFile(),
      },
    });
    try {
      for (let i = 0; i < calls; i++) {
        const res = await postJson(`${gw.url}/v1/chat/completions`, {
          model: 'mock/echo',
          messages: [{ role: 'user', content: `hello ${i}` }],
        });
        expect(res.status).toBe(200);
      }
    } finally {
      await gw.close();
    }
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gw-audit-cli-'));
    env = {
      GATEWAY_PROFILE: 'ci',
      LOG_LEVEL: 'silent',
      GATEWAY_DATABASE_URL: `file:${join(dir, 'gateway.db')}`,
      GATEWAY_AUDIT_HMAC_SECRET: SECRET,
    };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints a new Ed25519 key pair', async () => {
    const text = await cli(['audit', 'keygen']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /^-----BEGIN PRIVATE KEY-----\n[\s\S]+-----BEGIN PUBLIC KEY-----\n/,
    );
    expect(text.stderr).toMatch(/key_id [0-9a-f]{64}/);
    const json = await cli(['audit', 'keygen', '--json']);
    const pair = JSON.parse(json.stdout) as Record<string, string>;
    expect(pair.key_id).toMatch(/^[0-9a-f]{64}$/);
    privatePem = pair.private_key;
    publicKeyFile = join(dir, 'audit-public.pem');
    writeFileSync(publicKeyFile, pair.public_key);
  });

  it('has nothing to check in a fresh database (exit 2)', async () => {
    expect((await cli(['db', 'migrate'])).code).toBe(0);
    const result = await cli(['audit', 'verify']);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/checked 0 events[\s\S]*Nothing to check\./);
  });

  it('audits CLI writes in a chain of their own, and verifies the database (exit 0)', async () => {
    expect((await cli(['tenants', 'create', '--id', 'acme', '--name', 'Acme'])).code).toBe(0);
    const result = await cli(['audit', 'verify']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/checked 1 events .* HMACs/);
    expect(result.stdout).toMatch(/ {2}cli@\S+: seq 1-1/);
    expect(result.stdout).toMatch(/Valid\.\n$/);
  });

  it('resumes a writer chain across restarts, and a file verifies with the public key alone', async () => {
    await runGateway(3);
    await runGateway(2);
    const lines = readFileSync(auditFile(), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    const events = lines.filter((l) => l.record === undefined);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(lines.filter((l) => l.record === 'checkpoint').map((c) => c.seq)).toEqual([3, 5]);

    const publicOnly = await cli(
      ['audit', 'verify', '--file', auditFile(), '--public-key', publicKeyFile, '--json'],
      { GATEWAY_AUDIT_HMAC_SECRET: '' },
    );
    expect(publicOnly.code).toBe(0);
    expect(JSON.parse(publicOnly.stdout)).toMatchObject({
      valid: true,
      checked: 5,
      hmac_checked: false,
      signatures_checked: true,
      writers: [{ writer: 'replica-1', last_seq: 5, signed_through: 5 }],
    });
    const database = await cli([
      'audit',
      'verify',
      '--writer',
      'replica-1',
      '--public-key',
      publicKeyFile,
    ]);
    expect(database.code).toBe(0);
    expect(database.stdout).toMatch(/replica-1: seq 1-5, 5 checked, signed through seq 5/);
  });

  it('names the first broken link of a tampered file (exit 1)', async () => {
    const tampered = join(dir, 'tampered.jsonl');
    const lines = readFileSync(auditFile(), 'utf8').split('\n');
    lines[1] = lines[1].replace('"status":200', '"status":201');
    writeFileSync(tampered, lines.join('\n'));
    const result = await cli(['audit', 'verify', '--file', tampered]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/BROKEN at writer replica-1, seq 2: hash mismatch/);
    const wrongSecret = await cli(['audit', 'verify', '--file', auditFile()], {
      GATEWAY_AUDIT_HMAC_SECRET: 'another-secret-0123456789abcdefghijklmn',
    });
    expect(wrongSecret.code).toBe(1);
    expect(wrongSecret.stdout).toMatch(/seq 1: hmac mismatch/);
  });

  it('refuses to start a gateway on a file whose last line is damaged', async () => {
    appendFileSync(auditFile(), '{"seq":6,"event_id":"torn');
    await expect(runGateway(0)).rejects.toThrow(
      /audit file .*audit\.jsonl is damaged: its last line has no line break at its end/,
    );
  });

  it('takes the secret from the environment only, and says so for bad options', async () => {
    const result = await cli(['audit', 'verify', '--secret', 'x']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--secret/);
    const missing = await cli(['audit', 'verify', '--file', join(dir, 'absent.jsonl')]);
    expect(missing.code).toBe(2);
  });
});
