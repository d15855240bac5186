import { CompiledQuery, PostgresAdapter } from 'kysely';
import type { AuditCheckpoint, AuditRecord, ChainHead } from '../governance/audit/audit.types.js';
import { toAuditRecord, toAuditRow } from './audit-row.mapper.js';
import { AuditRepository, type AuditCursor, type AuditFilter } from './audit.repository.js';
import type { AuditEventsTable, GatewayDatabase } from './database.types.js';

/** Rows per INSERT statement: well under SQLite's and PostgreSQL's bound-parameter limits. */
const ROWS_PER_INSERT = 1_000;

/** audit_events' columns in the order of the PostgreSQL insert's placeholders. */
const EVENT_COLUMNS = [
  'writer',
  'seq',
  'event_id',
  'timestamp',
  'tenant',
  'key_id',
  'event_type',
  'trace_id',
  'payload',
  'prev_hash',
  'hash',
  'hmac',
] as const;

/** Not a Nest provider class: the storage module builds it, and the audit worker uses it alone. */
export class KyselyAuditRepository extends AuditRepository {
  constructor(private readonly db: GatewayDatabase) {
    super();
  }

  async head(writer: string): Promise<ChainHead | undefined> {
    const row = await this.db
      .selectFrom('audit_events')
      .select(['seq', 'hash', 'timestamp'])
      .where('writer', '=', writer)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row === undefined
      ? undefined
      : { seq: Number(row.seq), hash: row.hash, timestamp: row.timestamp };
  }

  async lastCheckpoint(writer: string): Promise<number> {
    const row = await this.db
      .selectFrom('audit_checkpoints')
      .select('seq')
      .where('writer', '=', writer)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row === undefined ? 0 : Number(row.seq);
  }

  async append(
    records: readonly AuditRecord[],
    checkpoints: readonly AuditCheckpoint[],
  ): Promise<void> {
    if (records.length === 0 && checkpoints.length === 0) return;
    const postgres = this.db.getExecutor().adapter instanceof PostgresAdapter;
    await this.db.transaction().execute(async (tx) => {
      for (let i = 0; i < records.length; i += ROWS_PER_INSERT) {
        const rows = records.slice(i, i + ROWS_PER_INSERT).map(toAuditRow);
        if (postgres) await tx.executeQuery(insertEvents(rows));
        else await tx.insertInto('audit_events').values(rows).execute();
      }
      if (checkpoints.length > 0) {
        await tx
          .insertInto('audit_checkpoints')
          .values(checkpoints.map((c) => ({ ...c })))
          .execute();
      }
    });
  }

  async writers(): Promise<string[]> {
    const rows = await this.db
      .selectFrom('audit_events')
      .select('writer')
      .distinct()
      .orderBy('writer')
      .execute();
    return rows.map((r) => r.writer);
  }

  async chain(writer: string, afterSeq: number, limit: number): Promise<AuditRecord[]> {
    const rows = await this.db
      .selectFrom('audit_events')
      .selectAll()
      .where('writer', '=', writer)
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map(toAuditRecord);
  }

  async checkpoints(writer: string, afterSeq: number, limit: number): Promise<AuditCheckpoint[]> {
    const rows = await this.db
      .selectFrom('audit_checkpoints')
      .selectAll()
      .where('writer', '=', writer)
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((row) => ({ ...row, seq: Number(row.seq) }));
  }

  async search(filter: AuditFilter, limit: number, cursor?: AuditCursor): Promise<AuditRecord[]> {
    let query = this.db.selectFrom('audit_events').selectAll();
    if (filter.tenant !== undefined) query = query.where('tenant', '=', filter.tenant);
    if (filter.eventType !== undefined) query = query.where('event_type', '=', filter.eventType);
    if (filter.traceId !== undefined) query = query.where('trace_id', '=', filter.traceId);
    if (filter.from !== undefined) query = query.where('timestamp', '>=', filter.from);
    if (filter.to !== undefined) query = query.where('timestamp', '<', filter.to);
    if (cursor !== undefined) {
      query = query.where((eb) =>
        eb.or([
          eb('timestamp', '<', cursor.timestamp),
          eb.and([
            eb('timestamp', '=', cursor.timestamp),
            eb.or([
              eb('writer', '<', cursor.writer),
              eb.and([eb('writer', '=', cursor.writer), eb('seq', '<', cursor.seq)]),
            ]),
          ]),
        ]),
      );
    }
    const rows = await query
      .orderBy('timestamp', 'desc')
      .orderBy('writer', 'desc')
      .orderBy('seq', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toAuditRecord);
  }
}

/**
 * The multi-row INSERT of `rows` on PostgreSQL, as Kysely's builder would compile it (the same
 * columns, values and placeholders), written directly: the audit worker inserts every event
 * through here, and the builder's nodes and compilation cost about 5 µs of CPU a row more
 * (bench/README.md, issue 12). SQLite files take `SqliteAuditAppender`'s prepared statements.
 */
function insertEvents(rows: readonly AuditEventsTable[]): CompiledQuery {
  const values: unknown[] = [];
  const tuples: string[] = [];
  for (const row of rows) {
    const at = values.length;
    for (const column of EVENT_COLUMNS) values.push(row[column]);
    tuples.push(`(${EVENT_COLUMNS.map((_, c) => `$${at + c + 1}`).join(', ')})`);
  }
  return CompiledQuery.raw(
    `insert into "audit_events" (${EVENT_COLUMNS.map((c) => `"${c}"`).join(', ')}) values ${tuples.join(', ')}`,
    values,
  );
}
