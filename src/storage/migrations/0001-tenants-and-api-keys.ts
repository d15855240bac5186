import { type Kysely, sql } from 'kysely';

/*
 * Migrations are frozen once released: never edit one, add the next (0002-...). They take
 * Kysely<unknown> so they never depend on today's table types, use only what both SQLite and
 * PostgreSQL accept, and only ever add (tables, nullable or defaulted columns, indexes).
 * Strings are `text` in both: SQLite ignores varchar lengths, so a length would hold on
 * PostgreSQL only; the repositories validate what needs bounds (tenant ids).
 * Primary keys say NOT NULL because SQLite would otherwise accept NULL in a non-integer one.
 */

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('tenants')
    .addColumn('id', 'text', (col) => col.primaryKey().notNull())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull().defaultTo('active'))
    .addColumn('region', 'text')
    .addColumn('tags', 'text', (col) => col.notNull().defaultTo('{}'))
    .addColumn('settings', 'text', (col) => col.notNull().defaultTo('{}'))
    .addColumn('credentials', 'text', (col) => col.notNull().defaultTo('{}'))
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .addCheckConstraint('tenants_status_check', sql`status in ('active', 'suspended')`)
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (col) => col.primaryKey().notNull())
    .addColumn('tenant_id', 'text', (col) =>
      col.notNull().references('tenants.id').onDelete('cascade'),
    )
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('hash', 'text', (col) => col.notNull().unique())
    .addColumn('display_prefix', 'text', (col) => col.notNull())
    .addColumn('scopes', 'text', (col) => col.notNull().defaultTo('[]'))
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('expires_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .addColumn('last_used_at', 'bigint')
    .addColumn('replaced_by', 'text')
    .execute();

  await db.schema
    .createIndex('api_keys_tenant_id_idx')
    .on('api_keys')
    .column('tenant_id')
    .execute();
}
