/**
 * The audit trail's shapes (contract 12). Field names are snake_case because they are the
 * record's wire form: what is hashed, stored, mirrored to JSONL and shown by the admin API.
 */

/** Every event type of contract 12; features add theirs through the same writer. */
export const AUDIT_EVENT_TYPES = [
  'GATEWAY_RESPONSE',
  'POLICY_DENIED',
  'POLICY_WARNED',
  'POLICY_ROUTED',
  'POLICY_SHADOW',
  'PII_DETECTED',
  'PII_REDACTED',
  'PII_TOKENIZED',
  'PII_BLOCKED',
  'PII_OUTPUT_LEAK',
  'BUDGET_CAP_WARNING',
  'BUDGET_CAP_HARD',
  'RATE_LIMITED',
  'ADMIN_CHANGE',
  'AUDIT_OVERFLOW',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/** A JSON value as the chain hashes it (RFC 8785: no undefined, no NaN, no lone surrogate). */
export type JsonValue =
  string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

export type AuditPayload = { readonly [key: string]: JsonValue };

/**
 * What a feature hands the writer: the writer adds the chain fields, and makes the payload
 * JSON-safe (undefined dropped, NaN null, lone surrogates U+FFFD) before sealing it.
 */
export interface AuditEvent {
  readonly eventType: AuditEventType;
  readonly tenant: string | null;
  readonly keyId: string | null;
  readonly payload: AuditPayload;
}

/** A record without its seal: exactly what `hash` and `hmac` are computed over. */
export interface UnsealedAuditRecord {
  readonly seq: number;
  readonly event_id: string;
  /** ISO-8601 UTC with microseconds: `2026-12-07T03:04:05.123456Z`. */
  readonly timestamp: string;
  readonly writer: string;
  readonly tenant: string | null;
  readonly key_id: string | null;
  readonly event_type: string;
  readonly payload: AuditPayload;
  /** The previous record's `hash` in the same chain; null for seq 1. */
  readonly prev_hash: string | null;
}

/** A record's fields in their contract order: a JSONL event line's keys, the CSV export's columns. */
export const AUDIT_RECORD_FIELDS = [
  'seq',
  'event_id',
  'timestamp',
  'writer',
  'tenant',
  'key_id',
  'event_type',
  'payload',
  'prev_hash',
  'hash',
  'hmac',
] as const;

/** One link of a chain (contract 12). */
export interface AuditRecord extends UnsealedAuditRecord {
  /** Hex SHA-256 of the JCS canonical form of the record without `hash` and `hmac`. */
  readonly hash: string;
  /** Hex HMAC-SHA256 of the same bytes, keyed with the audit secret. */
  readonly hmac: string;
}

/** The signed fields of a checkpoint. */
export interface UnsignedCheckpoint {
  readonly writer: string;
  readonly seq: number;
  readonly hash: string;
  readonly timestamp: string;
  /** Hex SHA-256 of the signing key's public key (SPKI DER). */
  readonly key_id: string;
}

/** An Ed25519 signature over the chain head. */
export interface AuditCheckpoint extends UnsignedCheckpoint {
  /** Base64 Ed25519 signature over the JCS form of the unsigned fields. */
  readonly signature: string;
}

/** A line of a JSONL mirror, or a row of the database, as the verifier reads it. */
export type AuditEntry =
  | { readonly kind: 'event'; readonly record: AuditRecord }
  | { readonly kind: 'checkpoint'; readonly checkpoint: AuditCheckpoint }
  /** A line that is not a record at all (a torn write, an edit that broke the JSON). */
  | { readonly kind: 'unreadable'; readonly line: number; readonly problem: string };

/** The chain head a writer continues from. */
export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
  readonly timestamp: string;
}
