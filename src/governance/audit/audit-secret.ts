import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const MIN_LENGTH = 32;
const MIN_DISTINCT = 8;
const PLACEHOLDERS = ['change-me', 'changeme', 'placeholder', 'dev-only', 'default-dev-secret'];

/** The file a dev gateway keeps its generated secret in, beside its SQLite database. */
export const GENERATED_SECRET_FILE = 'audit-hmac.secret';

/** Why a secret is refused (contract 12), or undefined. Never echoes the secret. */
export function secretProblem(secret: string): string | undefined {
  if (secret.length < MIN_LENGTH) return `it is shorter than ${MIN_LENGTH} characters`;
  const lower = secret.toLowerCase();
  if (PLACEHOLDERS.some((p) => lower.includes(p))) return 'it is a known placeholder';
  if (new Set(secret).size < MIN_DISTINCT) {
    return `it has fewer than ${MIN_DISTINCT} distinct characters`;
  }
  return undefined;
}

export interface SecretContext {
  readonly production: boolean;
  /** The SQLite file of the gateway; undefined for PostgreSQL or an in-memory database. */
  readonly sqliteFile?: string;
}

export interface ResolvedSecret {
  readonly secret: string;
  /** What an operator should be told (never the secret). */
  readonly warning?: string;
}

const HOW = 'set GATEWAY_AUDIT_HMAC_SECRET to 32+ random characters (openssl rand -hex 32)';

/**
 * The audit HMAC secret (contract 12): the configured one, checked; without one, production
 * refuses to start, and other profiles generate one and keep it beside the SQLite database (mode
 * 0600) so a restart keeps verifying, or hold it in memory when there is no such file.
 * @throws Error saying what is wrong and how to fix it.
 */
export function resolveAuditSecret(configured: string, context: SecretContext): ResolvedSecret {
  const secret = configured.trim();
  if (secret !== '') {
    const problem = secretProblem(secret);
    if (problem !== undefined) {
      throw new Error(`The audit HMAC secret is refused: ${problem}; ${HOW}.`);
    }
    return { secret };
  }
  if (context.production) {
    throw new Error(`The audit trail needs an HMAC secret in production: ${HOW}.`);
  }
  if (context.sqliteFile === undefined) {
    return {
      secret: randomBytes(32).toString('hex'),
      warning: `No audit HMAC secret is configured: this process uses a random one it does not keep, so its records cannot be HMAC-checked after it stops; ${HOW}.`,
    };
  }
  const file = join(dirname(context.sqliteFile), GENERATED_SECRET_FILE);
  const kept = readKept(file);
  if (kept !== undefined) {
    return {
      secret: kept,
      warning: `No audit HMAC secret is configured: using the one generated in ${file}; ${HOW} before going to production.`,
    };
  }
  const generated = randomBytes(32).toString('hex');
  mkdirSync(dirname(file), { recursive: true });
  try {
    writeFileSync(file, `${generated}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another process (the CLI beside the gateway) generated it first: use that one.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return resolveAuditSecret(configured, context);
  }
  chmodSync(file, 0o600);
  return {
    secret: generated,
    warning: `No audit HMAC secret is configured: generated one in ${file} (mode 0600); ${HOW} before going to production.`,
  };
}

function readKept(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const secret = text.trim();
  const problem = secretProblem(secret);
  if (problem !== undefined) throw new Error(`The audit secret in ${file} is refused: ${problem}.`);
  return secret;
}

/**
 * The secret a verifier checks HMACs with: the configured one, else the one a dev gateway kept
 * beside its SQLite database; undefined when there is neither (only hashes and links are checked).
 * Never generates one.
 */
export function existingAuditSecret(configured: string, sqliteFile?: string): string | undefined {
  const secret = configured.trim();
  if (secret !== '') {
    const problem = secretProblem(secret);
    if (problem !== undefined) throw new Error(`The audit HMAC secret is refused: ${problem}.`);
    return secret;
  }
  return sqliteFile === undefined
    ? undefined
    : readKept(join(dirname(sqliteFile), GENERATED_SECRET_FILE));
}
