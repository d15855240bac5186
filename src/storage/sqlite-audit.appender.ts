import type Database from 'better-sqlite3';
import type { AuditCheckpoint, AuditRecord, ChainHead } from '../governance/audit/audit.types.js';
import { toAuditRow } from './audit-row.mapper.js';
import type { AuditRepository } from './audit.repository.js';
import { openSqlite } from './database.factory.js';
import { asError } from '../common/errors/as-error.js';

type AuditAppend = Pick<AuditRepository, 'head' | 'lastCheckpoint' | 'append'>;

/**
 * The audit writer's store on a SQLite file: the same tables, rows and transactions as
 * `KyselyAuditRepository`, written through better-sqlite3 statements prepared once and reused.
 * The audit worker thread appends every event through it, so the SQL is not built, compiled and
 * prepared again for every batch (Kysely's multi-row insert cost about 55-80 µs of CPU a row,
 * this path about 44: bench/README.md). Each batch is one `BEGIN IMMEDIATE` transaction, as the
 * gateway's own dialect writes, so it waits for another process's write lock rather than fail.
 * Everything else (queries, verification, exports) still reads through Kysely.
 */
export class SqliteAuditAppender implements AuditAppend {
  private readonly insertEvent: Database.Statement;
  private readonly insertCheckpoint: Database.Statement;
  private readonly selectHead: Database.Statement<[string], ChainHeadRow>;
  private readonly selectCheckpoint: Database.Statement<[string], { seq: number }>;
  private readonly appendBatch: Database.Transaction<
    (records: readonly AuditRecord[], checkpoints: readonly AuditCheckpoint[]) => void
  >;

  private constructor(private readonly db: Database.Database) {
    this.insertEvent = db.prepare(
      `insert into audit_events (writer, seq, event_id, timestamp, tenant, key_id, event_type,
        trace_id, payload, prev_hash, hash, hmac) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertCheckpoint = db.prepare(
      `insert into audit_checkpoints (writer, seq, hash, timestamp, key_id, signature)
        values (?, ?, ?, ?, ?, ?)`,
    );
    this.selectHead = db.prepare(
      'select seq, hash, timestamp from audit_events where writer = ? order by seq desc limit 1',
    );
    this.selectCheckpoint = db.prepare(
      'select seq from audit_checkpoints where writer = ? order by seq desc limit 1',
    );
    this.appendBatch = db.transaction((records, checkpoints) => {
      for (const record of records) {
        const row = toAuditRow(record);
        this.insertEvent.run(
          row.writer,
          row.seq,
          row.event_id,
          row.timestamp,
          row.tenant,
          row.key_id,
          row.event_type,
          row.trace_id,
          row.payload,
          row.prev_hash,
          row.hash,
          row.hmac,
        );
      }
      for (const c of checkpoints) {
        this.insertCheckpoint.run(c.writer, c.seq, c.hash, c.timestamp, c.key_id, c.signature);
      }
    });
  }

  /** Opens its own connection; the tables must exist (the gateway's migrations made them). */
  static async open(path: string): Promise<SqliteAuditAppender> {
    const db = await openSqlite(path);
    try {
      return new SqliteAuditAppender(db);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  head(writer: string): Promise<ChainHead | undefined> {
    const row = this.selectHead.get(writer);
    return Promise.resolve(
      row === undefined
        ? undefined
        : { seq: Number(row.seq), hash: row.hash, timestamp: row.timestamp },
    );
  }

  lastCheckpoint(writer: string): Promise<number> {
    const row = this.selectCheckpoint.get(writer);
    return Promise.resolve(row === undefined ? 0 : Number(row.seq));
  }

  /** Records and checkpoints of one batch, in one transaction: all committed or none. */
  append(records: readonly AuditRecord[], checkpoints: readonly AuditCheckpoint[]): Promise<void> {
    if (records.length === 0 && checkpoints.length === 0) return Promise.resolve();
    try {
      this.appendBatch.immediate(records, checkpoints);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(asError(err));
    }
  }

  close(): void {
    this.db.close();
  }
}

interface ChainHeadRow {
  readonly seq: number;
  readonly hash: string;
  readonly timestamp: string;
}
