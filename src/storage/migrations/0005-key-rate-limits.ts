import type { Kysely } from 'kysely';

/*
 * An API key's own rate limits (contract 11.4): JSON `{requestsPerMinute?, tokensPerMinute?}`,
 * null for the configured per-key defaults. Frozen once released, under the rules of 0001's
 * header. (0003 and 0004 are taken by the audit and metering tables.)
 */

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('api_keys').addColumn('rate_limits', 'text').execute();
}
