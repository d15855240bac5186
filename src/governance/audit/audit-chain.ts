import canonicalize from 'canonicalize';
import {
  createHash,
  createHmac,
  createPublicKey,
  hash,
  type KeyObject,
  sign,
  timingSafeEqual,
  verify,
} from 'node:crypto';
import type {
  AuditCheckpoint,
  AuditRecord,
  UnsealedAuditRecord,
  UnsignedCheckpoint,
} from './audit.types.js';

/*
 * The chain format of contract 12, shared by the writer and the verifier so they cannot disagree.
 * Everything here is pure: no clock, no I/O. Canonical JSON is RFC 8785 (JCS) as implemented by
 * the `canonicalize` package (by one of the RFC's authors), so an auditor can reproduce every
 * hash with any JCS tool and openssl (README, Audit trail).
 */

/** The JCS text of a record without `hash` and `hmac` (and nothing else: no extra fields). */
export function canonicalRecord(record: UnsealedAuditRecord): string {
  const unsealed: UnsealedAuditRecord = {
    seq: record.seq,
    event_id: record.event_id,
    timestamp: record.timestamp,
    writer: record.writer,
    tenant: record.tenant,
    key_id: record.key_id,
    event_type: record.event_type,
    payload: record.payload,
    prev_hash: record.prev_hash,
  };
  const text = canonicalize(unsealed);
  if (text === undefined) throw new Error('an audit record has no JSON form');
  return text;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function hmacHex(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text, 'utf8').digest('hex');
}

/**
 * Adds `hash` and `hmac` to a record. The canonical text is encoded once and both digests read
 * the same bytes; the SHA-256 is Node's one-shot `crypto.hash` (no Hash object), and the secret
 * may be a KeyObject made once (the writer's), so it is not imported again for every record.
 */
export function sealRecord(record: UnsealedAuditRecord, secret: string | KeyObject): AuditRecord {
  const text = canonicalRecord(record);
  const canonical = Buffer.from(text, 'utf8');
  const sealed: AuditRecord = {
    ...record,
    hash: hash('sha256', canonical, 'hex'),
    hmac: createHmac('sha256', secret).update(canonical).digest('hex'),
  };
  return Object.defineProperty(sealed, PAYLOAD_TEXT, { value: payloadWithin(text) });
}

/**
 * The payload's JSON text as a store keeps it (`audit_events.payload`): its RFC 8785 text, cut
 * from the record's canonical text when this thread sealed it (no second serialisation of the
 * payload per event: about 7% of the audit worker's CPU, bench/README.md), else serialised now.
 * Either way the same text: JCS of a record holds JCS of each of its values.
 */
export function payloadJson(record: AuditRecord): string {
  return (record as SealedRecord)[PAYLOAD_TEXT] ?? (canonicalize(record.payload) as string);
}

/**
 * A non-enumerable, symbol-keyed property: JSON, JCS, spreads, structured clone (the worker's
 * messages) and deep equality all skip it, so no record written or compared anywhere carries it;
 * a copied record just has no text cached.
 */
const PAYLOAD_TEXT = Symbol('payloadText');
type SealedRecord = AuditRecord & { [PAYLOAD_TEXT]?: string };

/**
 * The payload inside a record's canonical text. JCS sorts the keys: `event_id`, `event_type` and
 * `key_id` come before `payload`, then `prev_hash`, `seq`, `tenant`, `timestamp`, `writer`. All of
 * those hold a string, a number or null, and a JSON string cannot hold an unescaped quote, so the
 * first `,"payload":` and the last `,"prev_hash":` of the text are the record's own.
 */
function payloadWithin(text: string): string {
  const start = text.indexOf(',"payload":') + ',"payload":'.length;
  return text.slice(start, text.lastIndexOf(',"prev_hash":'));
}

/** Whether two hex digests are equal, in constant time (an HMAC comparison must not leak). */
export function sameDigest(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The JCS text a checkpoint signature covers. */
export function canonicalCheckpoint(checkpoint: UnsignedCheckpoint): string {
  const fields: UnsignedCheckpoint = {
    writer: checkpoint.writer,
    seq: checkpoint.seq,
    hash: checkpoint.hash,
    timestamp: checkpoint.timestamp,
    key_id: checkpoint.key_id,
  };
  return canonicalize(fields) as string;
}

/** Hex SHA-256 of a public key's SPKI DER: the `key_id` of the checkpoints it verifies. */
export function publicKeyId(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

/** Signs a chain head with an Ed25519 private key. */
export function signCheckpoint(
  head: Omit<UnsignedCheckpoint, 'key_id'>,
  privateKey: KeyObject,
): AuditCheckpoint {
  const unsigned: UnsignedCheckpoint = { ...head, key_id: publicKeyId(privateKey) };
  const signature = sign(null, Buffer.from(canonicalCheckpoint(unsigned), 'utf8'), privateKey);
  return { ...unsigned, signature: signature.toString('base64') };
}

/** Whether a checkpoint was signed by the holder of `publicKey`'s private key. */
export function checkpointSigned(checkpoint: AuditCheckpoint, publicKey: KeyObject): boolean {
  if (checkpoint.key_id !== publicKeyId(publicKey)) return false;
  try {
    return verify(
      null,
      Buffer.from(canonicalCheckpoint(checkpoint), 'utf8'),
      publicKey,
      Buffer.from(checkpoint.signature, 'base64'),
    );
  } catch {
    return false;
  }
}
