import { payloadJson } from '../governance/audit/audit-chain.js';
import type { AuditPayload, AuditRecord } from '../governance/audit/audit.types.js';
import type { AuditEventsTable } from './database.types.js';

/* Audit records to `audit_events` rows and back: shared by every store that writes or reads them. */

/** An audit record as its `audit_events` row. */
export function toAuditRow(record: AuditRecord): AuditEventsTable {
  const traceId = record.payload.trace_id;
  return {
    writer: record.writer,
    seq: record.seq,
    event_id: record.event_id,
    timestamp: record.timestamp,
    tenant: record.tenant,
    key_id: record.key_id,
    event_type: record.event_type,
    trace_id: typeof traceId === 'string' ? traceId : null,
    // RFC 8785 text: the payload exactly as its record's hash covers it.
    payload: payloadJson(record),
    prev_hash: record.prev_hash,
    hash: record.hash,
    hmac: record.hmac,
  };
}

/** An `audit_events` row as the record it stores. */
export function toAuditRecord(row: AuditEventsTable): AuditRecord {
  return {
    seq: Number(row.seq),
    event_id: row.event_id,
    timestamp: row.timestamp,
    writer: row.writer,
    tenant: row.tenant,
    key_id: row.key_id,
    event_type: row.event_type,
    payload: JSON.parse(row.payload) as AuditPayload,
    prev_hash: row.prev_hash,
    hash: row.hash,
    hmac: row.hmac,
  };
}
