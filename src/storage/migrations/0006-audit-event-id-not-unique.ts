import { type Kysely, PostgresAdapter, sql } from 'kysely';

/*
 * `audit_events.event_id` loses the UNIQUE constraint 0003 gave it (issue 12). Nothing looks a
 * record up by its event id (the admin API filters on tenant, event type, trace id and time; a
 * chain is read by writer and seq), and the id is a random UUID the writer draws, so the index
 * only ever cost: every insert lands on a random page of it, which the commit writes to the WAL
 * and the checkpoint writes again. Measured with better-sqlite3 on a table of 300,000 rows, it was
 * about half of a row's insert CPU (52.7 µs with it, 27.9 without: bench/README.md). A record's
 * identity in its chain is (writer, seq), the primary key, and the hash chain is what proves it.
 *
 * This breaks 0001's "only ever add" on purpose, for this one constraint: PostgreSQL drops it; SQLite
 * cannot drop a column constraint, so the table is rebuilt as SQLite documents
 * (https://www.sqlite.org/lang_altertable.html#otheralter): a new table, the rows copied, the old
 * one dropped (dropping a table fires none of its triggers), the new one renamed, then 0003's
 * indexes and append-only triggers made again. The rows, their order and their values are
 * unchanged; the migration runs in one transaction, so it is all done or not at all.
 */

export async function up(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    // PostgreSQL's name for 0003's column constraint (<table>_<column>_key).
    await sql`alter table audit_events drop constraint audit_events_event_id_key`.execute(db);
    return;
  }
  await db.schema
    .createTable('audit_events_rebuilt')
    .addColumn('writer', 'text', (col) => col.notNull())
    .addColumn('seq', 'bigint', (col) => col.notNull())
    .addColumn('event_id', 'text', (col) => col.notNull())
    .addColumn('timestamp', 'text', (col) => col.notNull())
    .addColumn('tenant', 'text')
    .addColumn('key_id', 'text')
    .addColumn('event_type', 'text', (col) => col.notNull())
    .addColumn('trace_id', 'text')
    .addColumn('payload', 'text', (col) => col.notNull())
    .addColumn('prev_hash', 'text')
    .addColumn('hash', 'text', (col) => col.notNull())
    .addColumn('hmac', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('audit_events_pk', ['writer', 'seq'])
    .execute();
  await sql`
    insert into audit_events_rebuilt (writer, seq, event_id, timestamp, tenant, key_id,
      event_type, trace_id, payload, prev_hash, hash, hmac)
    select writer, seq, event_id, timestamp, tenant, key_id, event_type, trace_id, payload,
      prev_hash, hash, hmac
    from audit_events order by rowid`.execute(db);
  await db.schema.dropTable('audit_events').execute();
  await db.schema.alterTable('audit_events_rebuilt').renameTo('audit_events').execute();
  await db.schema
    .createIndex('audit_events_timestamp_idx')
    .on('audit_events')
    .column('timestamp')
    .execute();
  await db.schema
    .createIndex('audit_events_tenant_idx')
    .on('audit_events')
    .columns(['tenant', 'timestamp'])
    .execute();
  await db.schema
    .createIndex('audit_events_trace_idx')
    .on('audit_events')
    .column('trace_id')
    .execute();
  for (const op of ['update', 'delete']) {
    await sql`
      create trigger ${sql.id(`audit_events_no_${op}`)} before ${sql.raw(op)} on audit_events
      begin select raise(abort, ${sql.lit(`audit_events is append-only: ${op} refused`)}); end`.execute(
      db,
    );
  }
}
