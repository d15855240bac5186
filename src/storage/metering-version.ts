import type { Kysely, Transaction } from 'kysely';
import type { DatabaseSchema } from './database.types.js';

/** Advances the metering version inside the caller's transaction (an atomic `version + 1`). */
export async function bumpMeteringVersion(trx: Transaction<DatabaseSchema>): Promise<void> {
  await trx
    .updateTable('metering_version')
    .set((eb) => ({ version: eb('version', '+', 1) }))
    .where('id', '=', 1)
    .execute();
}

/** The metering version: budgets and prices changed since a replica last read it. */
export async function readMeteringVersion(db: Kysely<DatabaseSchema>): Promise<number> {
  const row = await db
    .selectFrom('metering_version')
    .select('version')
    .where('id', '=', 1)
    .executeTakeFirstOrThrow();
  return Number(row.version);
}
