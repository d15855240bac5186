import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { GatewayConfig } from '../../config/gateway-config.types.js';
import type { DatabaseTarget } from '../../storage/database-target.js';
import { resolveAuditSecret } from './audit-secret.js';

/** Which process writes: the gateway (its chain named by instance id) or one CLI run. */
export type AuditRole = 'gateway' | 'cli';

/** The audit trail's settings, resolved and checked once at start-up. */
export interface AuditSettings {
  readonly enabled: boolean;
  /** The chain this process writes (contract 12). */
  readonly writer: string;
  readonly secret: string;
  readonly signingKey?: KeyObject;
  readonly checkpointEvery: number;
  readonly checkpointIntervalMs: number;
  readonly file?: string;
  readonly flushIntervalMs: number;
  readonly batchSize: number;
  readonly maxQueue: number;
  readonly captureContent: boolean;
  /** What the operator should hear at start-up (never a secret). */
  readonly warnings: readonly string[];
}

export const AUDIT_SETTINGS = Symbol('AUDIT_SETTINGS');

/**
 * Resolves `gateway.audit` (contract 12). The writer is `server.instance-id` when set (a restart
 * resumes its chain); otherwise host, pid and start time, a new chain per process. A CLI run is
 * always a writer of its own, so it never contends with a gateway for a chain head.
 * @throws Error naming the setting that is wrong (never its value).
 */
export function resolveAuditSettings(
  config: GatewayConfig,
  target: DatabaseTarget,
  role: AuditRole,
  startedAt = new Date(),
): AuditSettings {
  const audit = config.audit;
  const process = `${hostname()}-${globalThis.process.pid}-${compact(startedAt)}`;
  const instance = config.server.instanceId.trim();
  const writer = role === 'cli' ? `cli@${process}` : instance !== '' ? instance : process;
  const base = {
    enabled: audit.enabled,
    writer,
    checkpointEvery: audit.checkpointEveryEvents,
    checkpointIntervalMs: audit.checkpointIntervalMs,
    file: audit.file.trim() === '' ? undefined : audit.file.trim(),
    flushIntervalMs: audit.flushIntervalMs,
    batchSize: audit.batchSize,
    maxQueue: audit.maxQueue,
    captureContent: audit.captureContent,
  };
  if (!audit.enabled) return { ...base, secret: '', warnings: [] };
  const { secret, warning } = resolveAuditSecret(audit.hmacSecret, {
    production: config.profiles.includes('production'),
    sqliteFile: target.kind === 'sqlite' && target.path !== ':memory:' ? target.path : undefined,
  });
  return {
    ...base,
    secret,
    signingKey: signingKey(audit.signingKey.trim()),
    warnings: warning === undefined ? [] : [warning],
  };
}

/** An Ed25519 private key from PEM text or the path of a PEM file. */
export function signingKey(setting: string): KeyObject | undefined {
  if (setting === '') return undefined;
  const pem = setting.includes('-----BEGIN') ? setting : readKeyFile(setting);
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (err) {
    // The cause is OpenSSL's decoder message: it never holds the key text.
    throw new Error('gateway.audit.signing-key is not a PEM private key.', { cause: err });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new Error(
      `gateway.audit.signing-key is a ${key.asymmetricKeyType ?? 'non-asymmetric'} key; checkpoints need Ed25519 (gateway audit keygen).`,
    );
  }
  return key;
}

function readKeyFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(
      `gateway.audit.signing-key names a file that cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}): ${path}`,
      { cause: err },
    );
  }
}

function compact(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}
