import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { accessSync, constants, readFileSync } from 'node:fs';
import { publicKeyId } from '../governance/audit/audit-chain.js';
import { readJsonl } from '../governance/audit/audit-jsonl.js';
import { existingAuditSecret } from '../governance/audit/audit-secret.js';
import { storedEntries } from '../governance/audit/audit-store.source.js';
import type { AuditEntry } from '../governance/audit/audit.types.js';
import { type VerifyReport, verifyAuditChain } from '../governance/audit/audit.verifier.js';
import { describeDatabaseTarget, resolveDatabaseTarget } from '../storage/database-target.js';
import { createDatabase } from '../storage/database.factory.js';
import { warnStorage } from '../storage/storage.logger.js';
import { KyselyAuditRepository } from '../storage/kysely-audit.repository.js';
import type { CliCommand, CommandContext } from './cli-command.types.js';
import { optionalString, printJson } from './cli-options.js';
import { CliUsageError } from './cli-usage.error.js';

const EXIT_VALID = 0;
const EXIT_BROKEN = 1;
const EXIT_NOTHING = 2;

export const AUDIT_COMMANDS: readonly CliCommand[] = [
  {
    name: 'audit verify',
    synopsis: '[--file <jsonl>] [--public-key <pem>] [--writer <id>]',
    summary:
      'check the audit chains of the database (or a JSONL file): exit 0 valid, 1 broken, 2 nothing to check; ' +
      'the HMAC secret comes from GATEWAY_AUDIT_HMAC_SECRET, never an argument',
    options: {
      file: { type: 'string' },
      'public-key': { type: 'string' },
      writer: { type: 'string' },
    },
    args: [],
    async run(context) {
      const file = optionalString(context, 'file');
      const keyFile = optionalString(context, 'public-key');
      const writer = optionalString(context, 'writer');
      const config = context.config();
      const target = resolveDatabaseTarget(config.storage);
      const sqliteFile =
        target.kind === 'sqlite' && target.path !== ':memory:' ? target.path : undefined;
      const secret = existingAuditSecret(config.audit.hmacSecret, sqliteFile);
      const publicKey = keyFile === undefined ? undefined : readPublicKey(keyFile);
      const options = { secret, publicKey, writer };

      let report: VerifyReport;
      let source: string;
      if (file !== undefined) {
        source = file;
        report = await verifyAuditChain(readable(file), options);
      } else {
        source = describeDatabaseTarget(target);
        const db = createDatabase(target, warnStorage);
        try {
          report = await verifyAuditChain(
            storedEntries(new KyselyAuditRepository(db), writer),
            options,
          );
        } finally {
          await db.destroy();
        }
      }
      if (context.json) printJson(context, { source, ...report });
      else printReport(context, source, report);
      if (!report.valid) return EXIT_BROKEN;
      return report.checked === 0 ? EXIT_NOTHING : EXIT_VALID;
    },
  },
  {
    name: 'audit keygen',
    synopsis: '',
    summary:
      'print a new Ed25519 key pair (PEM) for gateway.audit.signing-key; give auditors the public key',
    options: {},
    args: [],
    run(context) {
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
      const publicPem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
      const keyId = publicKeyId(publicKey);
      if (context.json) {
        printJson(context, { key_id: keyId, private_key: privatePem, public_key: publicPem });
      } else {
        context.io.stdout(`${privatePem}${publicPem}`);
        context.io.stderr(
          `key_id ${keyId}. Keep the private key secret (GATEWAY_AUDIT_SIGNING_KEY, or a file path ` +
            'in gateway.audit.signing-key); give auditors the public key.\n',
        );
      }
      return Promise.resolve();
    },
  },
];

/** A JSONL file's entries; a file that cannot be opened is a usage error, not a broken chain. */
async function* readable(file: string): AsyncGenerator<AuditEntry> {
  try {
    accessSync(file, constants.R_OK);
  } catch (err) {
    throw new CliUsageError(
      `--file ${file} cannot be read (${(err as NodeJS.ErrnoException).code}).`,
    );
  }
  yield* readJsonl(file);
}

function readPublicKey(file: string): KeyObject {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliUsageError(
      `--public-key ${file} cannot be read (${(err as NodeJS.ErrnoException).code}).`,
    );
  }
  try {
    const key = createPublicKey(text);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error('not ed25519');
    return key;
  } catch {
    throw new CliUsageError(`--public-key ${file} is not an Ed25519 public key in PEM.`);
  }
}

function printReport(context: CommandContext, source: string, report: VerifyReport): void {
  const checks = [
    'hashes and links',
    report.hmac_checked ? 'HMACs' : 'no HMACs (no secret in GATEWAY_AUDIT_HMAC_SECRET)',
    report.signatures_checked ? 'checkpoint signatures' : 'no signatures (no --public-key)',
  ];
  const out: string[] = [
    `${source}: checked ${report.checked} events and ${report.checkpoints} checkpoints in ${report.writers.length} chain(s): ${checks.join(', ')}.`,
  ];
  for (const w of report.writers) {
    const signed =
      w.signed_through === null
        ? report.signatures_checked
          ? 'no verified checkpoint'
          : 'signatures not checked'
        : w.signed_through === w.last_seq
          ? `signed through seq ${w.signed_through}`
          : `signed through seq ${w.signed_through}, seq ${w.signed_through + 1}-${w.last_seq} unsigned`;
    out.push(`  ${w.writer}: seq 1-${w.last_seq}, ${w.checked} checked, ${signed}`);
  }
  const broken = report.first_break;
  if (broken !== null) {
    const where =
      broken.writer === null ? `line ${broken.line}` : `writer ${broken.writer}, seq ${broken.seq}`;
    out.push(`BROKEN at ${where}: ${broken.reason} (${broken.detail}).`);
  } else if (report.checked === 0) {
    out.push('Nothing to check.');
  } else {
    out.push('Valid.');
  }
  context.io.stdout(`${out.join('\n')}\n`);
}
