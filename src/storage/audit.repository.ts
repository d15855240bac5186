import type { AuditCheckpoint, AuditRecord, ChainHead } from '../governance/audit/audit.types.js';

/** What `GET /v1/admin/audit` filters on; `from` inclusive, `to` exclusive (record timestamps). */
export interface AuditFilter {
  readonly tenant?: string;
  readonly eventType?: string;
  readonly traceId?: string;
  readonly from?: string;
  readonly to?: string;
}

/** Where a newest-first page stopped: the last record shown. */
export interface AuditCursor {
  readonly timestamp: string;
  readonly writer: string;
  readonly seq: number;
}

/**
 * The audit store (contract 12), behind a port: append-only tables of records and checkpoints.
 * Every read is paged, so nothing ever loads a whole table.
 */
export abstract class AuditRepository {
  /** The last record of a writer's chain, to resume from; undefined for a new writer. */
  abstract head(writer: string): Promise<ChainHead | undefined>;
  /** The seq of the writer's last checkpoint; 0 without one. */
  abstract lastCheckpoint(writer: string): Promise<number>;
  /** Records and checkpoints of one batch, in one transaction: all committed or none. */
  abstract append(
    records: readonly AuditRecord[],
    checkpoints: readonly AuditCheckpoint[],
  ): Promise<void>;
  /** Every writer with at least one record, ordered. */
  abstract writers(): Promise<string[]>;
  /** Up to `limit` records of a writer after `afterSeq`, in seq order. */
  abstract chain(writer: string, afterSeq: number, limit: number): Promise<AuditRecord[]>;
  /** Up to `limit` checkpoints of a writer after `afterSeq`, in seq order. */
  abstract checkpoints(writer: string, afterSeq: number, limit: number): Promise<AuditCheckpoint[]>;
  /** Up to `limit` records matching `filter`, newest first, after `cursor`. */
  abstract search(filter: AuditFilter, limit: number, cursor?: AuditCursor): Promise<AuditRecord[]>;
}
