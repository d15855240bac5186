import { type Kysely, sql } from 'kysely';

/*
 * Stored policies (contract 10). Frozen once released, under the rules of 0001's header.
 * `tenant` is deliberately not a foreign key: a policy may name a tenant created later, and
 * deleting a tenant must not silently delete the policies written for it.
 * `policy_version` is a single row (id = 1) whose number every policy write advances in the same
 * transaction; replicas poll it to learn that their compiled rules are stale.
 */

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('policies')
    .addColumn('id', 'text', (col) => col.primaryKey().notNull())
    .addColumn('tenant', 'text')
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('source', 'text', (col) => col.notNull())
    .addColumn('dsl', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .addCheckConstraint('policies_status_check', sql`status in ('ACTIVE', 'SHADOW', 'DRAFT')`)
    .addCheckConstraint('policies_source_check', sql`source in ('bootstrap', 'api')`)
    .execute();

  await db.schema.createIndex('policies_tenant_idx').on('policies').column('tenant').execute();

  await db.schema
    .createTable('policy_version')
    .addColumn('id', 'integer', (col) => col.primaryKey().notNull())
    .addColumn('version', 'bigint', (col) => col.notNull())
    .addCheckConstraint('policy_version_single_row_check', sql`id = 1`)
    .execute();

  await sql`insert into policy_version (id, version) values (1, 0)`.execute(db);
}
