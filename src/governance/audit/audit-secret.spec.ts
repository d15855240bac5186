import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GENERATED_SECRET_FILE, resolveAuditSecret, secretProblem } from './audit-secret.js';

describe(resolveAuditSecret.name, () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'gw-audit-secret-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses short secrets, placeholders and low-variety ones, without echoing them', () => {
    expect(secretProblem('short')).toMatch(/shorter than 32/);
    expect(secretProblem('please-change-me-0123456789abcdefghij')).toMatch(/placeholder/);
    expect(secretProblem('ChangeMe-0123456789abcdefghijklmnopq')).toMatch(/placeholder/);
    expect(secretProblem('default-dev-secret-0123456789abcdef')).toMatch(/placeholder/);
    expect(secretProblem('abababababababababababababababababab')).toMatch(/distinct/);
    expect(secretProblem('f3a1c9e07b2d4e5f8a6b1c0d9e8f7a6b')).toBeUndefined();
    const secret = 'too-short-secret';
    expect(() => resolveAuditSecret(secret, { production: false })).toThrow(/shorter than 32/);
    try {
      resolveAuditSecret(secret, { production: false });
    } catch (err) {
      expect((err as Error).message).not.toContain(secret);
    }
  });

  it('refuses to start in production without a secret', () => {
    expect(() => resolveAuditSecret('', { production: true })).toThrow(
      /needs an HMAC secret in production: set GATEWAY_AUDIT_HMAC_SECRET/,
    );
  });

  it('generates one beside the SQLite database (0600) in dev, and keeps using it', () => {
    const database = join(dir, 'gateway.db');
    const first = resolveAuditSecret('', { production: false, sqliteFile: database });
    expect(first.warning).toMatch(/generated one in .*audit-hmac\.secret \(mode 0600\)/);
    expect(first.warning).not.toContain(first.secret);
    const file = join(dir, GENERATED_SECRET_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.secret);
    const again = resolveAuditSecret('', { production: false, sqliteFile: database });
    expect(again.secret).toBe(first.secret);
  });

  it('holds a random one in memory when there is no SQLite file, and says so', () => {
    const resolved = resolveAuditSecret('', { production: false });
    expect(resolved.secret).toMatch(/^[0-9a-f]{64}$/);
    expect(resolved.warning).toMatch(/does not keep/);
  });

  it('refuses a kept secret that was tampered into a weak one', () => {
    writeFileSync(join(dir, GENERATED_SECRET_FILE), 'weak\n');
    expect(() =>
      resolveAuditSecret('', { production: false, sqliteFile: join(dir, 'gateway.db') }),
    ).toThrow(/is refused: it is shorter/);
  });
});
