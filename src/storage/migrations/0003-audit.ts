import { type Kysely, PostgresAdapter, sql } from 'kysely';

/*
 * The audit trail (contract 12), frozen once released under the rules of 0001's header.
 * Append-only: triggers refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL), so an application
 * bug or a careless operator cannot rewrite history; someone who drops the triggers can, and the
 * hash chain is what then shows it. `tenant` is not a foreign key: deleting a tenant must leave
 * its audit trail alone. `timestamp` is the record's own ISO-8601 text (fixed width, UTC), which
 * sorts in time order; `trace_id` is copied out of the payload for lookups only.
 */

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('audit_events')
    .addColumn('writer', 'text', (col) => col.notNull())
    .addColumn('seq', 'bigint', (col) => col.notNull())
    .addColumn('event_id', 'text', (col) => col.notNull().unique())
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

  await db.schema
    .createTable('audit_checkpoints')
    .addColumn('writer', 'text', (col) => col.notNull())
    .addColumn('seq', 'bigint', (col) => col.notNull())
    .addColumn('hash', 'text', (col) => col.notNull())
    .addColumn('timestamp', 'text', (col) => col.notNull())
    .addColumn('key_id', 'text', (col) => col.notNull())
    .addColumn('signature', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('audit_checkpoints_pk', ['writer', 'seq'])
    .execute();

  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`
      create function audit_append_only() returns trigger language plpgsql as $$
      begin
        raise exception '% is append-only: % refused', tg_table_name, tg_op;
      end
      $$`.execute(db);
    for (const table of ['audit_events', 'audit_checkpoints']) {
      await sql`
        create trigger ${sql.id(`${table}_append_only`)} before update or delete on ${sql.table(table)}
        for each row execute function audit_append_only()`.execute(db);
      await sql`
        create trigger ${sql.id(`${table}_no_truncate`)} before truncate on ${sql.table(table)}
        for each statement execute function audit_append_only()`.execute(db);
    }
  } else {
    for (const table of ['audit_events', 'audit_checkpoints']) {
      for (const op of ['update', 'delete']) {
        await sql`
          create trigger ${sql.id(`${table}_no_${op}`)} before ${sql.raw(op)} on ${sql.table(table)}
          begin select raise(abort, ${sql.lit(`${table} is append-only: ${op} refused`)}); end`.execute(
          db,
        );
      }
    }
  }
}
