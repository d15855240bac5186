import { Injectable } from '@nestjs/common';
import { ErrorCode } from '../common/errors/error-code.js';
import { GatewayError } from '../common/errors/gateway-error.js';
import { eventLine } from '../governance/audit/audit-jsonl.js';
import { searchAll, storedEntries } from '../governance/audit/audit-store.source.js';
import { AuditTrail } from '../governance/audit/audit-trail.service.js';
import { AUDIT_RECORD_FIELDS, type AuditRecord } from '../governance/audit/audit.types.js';
import { type VerifyReport, verifyAuditChain } from '../governance/audit/audit.verifier.js';
import { isoMicros } from '../governance/audit/audit.writer.js';
import {
  AuditRepository,
  type AuditCursor,
  type AuditFilter,
} from '../storage/audit.repository.js';
import type { AuditFilterQuery } from './dto/list-audit.query.js';

/** Reading and checking the audit trail for the admin API (contract 12). */
@Injectable()
export class AuditAdminService {
  constructor(
    private readonly store: AuditRepository,
    private readonly trail: AuditTrail,
  ) {}

  /** Every chain in the database, checked with this gateway's secret and public key. */
  async verify(): Promise<VerifyReport> {
    return verifyAuditChain(storedEntries(this.store), this.trail.verifyOptions());
  }

  async list(
    query: AuditFilterQuery,
    limit: number,
    cursor: string | undefined,
  ): Promise<{ data: AuditRecord[]; next_cursor: string | null }> {
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    const page = await this.store.search(filterOf(query), limit + 1, after);
    const data = page.slice(0, limit);
    const last = data[data.length - 1];
    const more = page.length > limit && last !== undefined;
    return { data, next_cursor: more ? encodeCursor(last) : null };
  }

  /** The matching records, newest first, as JSONL or CSV lines, streamed page by page. */
  async *export(query: AuditFilterQuery, format: 'jsonl' | 'csv'): AsyncGenerator<string> {
    if (format === 'csv') yield `${AUDIT_RECORD_FIELDS.join(',')}\r\n`;
    for await (const record of searchAll(this.store, filterOf(query))) {
      yield format === 'csv' ? csvRow(record) : `${eventLine(record)}\n`;
    }
  }
}

function filterOf(query: AuditFilterQuery): AuditFilter {
  return {
    tenant: query.tenant,
    eventType: query.event_type,
    traceId: query.trace_id,
    from: query.from === undefined ? undefined : recordTime(query.from),
    to: query.to === undefined ? undefined : recordTime(query.to),
  };
}

/** An ISO-8601 instant in the records' own fixed-width form, so text comparison is time order. */
function recordTime(iso: string): string {
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/.test(iso)) return iso;
  return isoMicros(Date.parse(iso) * 1000);
}

function encodeCursor(record: AuditRecord): string {
  return Buffer.from(JSON.stringify([record.timestamp, record.writer, record.seq])).toString(
    'base64url',
  );
}

function decodeCursor(cursor: string): AuditCursor {
  try {
    const [timestamp, writer, seq] = JSON.parse(
      Buffer.from(cursor, 'base64url').toString('utf8'),
    ) as unknown[];
    if (typeof timestamp === 'string' && typeof writer === 'string' && Number.isInteger(seq)) {
      return { timestamp, writer, seq: seq as number };
    }
  } catch {
    // Reported below.
  }
  throw new GatewayError(ErrorCode.ValidationError, 'cursor is not a cursor this API returned', {
    param: 'cursor',
  });
}

function csvRow(record: AuditRecord): string {
  return `${AUDIT_RECORD_FIELDS.map((column) => {
    return csvField(column === 'payload' ? JSON.stringify(record.payload) : record[column]);
  }).join(',')}\r\n`;
}

/** RFC 4180: quoted when it holds a comma, a quote or a line break; quotes doubled. */
function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
