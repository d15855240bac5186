import { type Kysely, Migrator } from 'kysely';
import { StaticMigrationProvider } from './migrations/static-migration.provider.js';

/**
 * Brings the schema to the latest version and returns the names of the migrations it applied
 * (none when already current, so running it again is harmless). Used at start-up and by the
 * CLI's `db migrate`. Concurrent runs are serialized: PostgreSQL by Kysely's advisory lock, SQLite
 * by the write lock of the migration transaction. A failed batch is rolled back as a whole.
 * @throws Error naming the migration that failed, with the database's message.
 */
export async function migrateToLatest<DB>(db: Kysely<DB>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new StaticMigrationProvider() });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((r) => r.status === 'Error')?.migrationName;
    const reason = error instanceof Error ? error.message : JSON.stringify(error);
    throw new Error(
      failed === undefined
        ? `Database migration failed: ${reason}`
        : `Database migration ${failed} failed (nothing of this run was applied): ${reason}`,
      { cause: error },
    );
  }
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
