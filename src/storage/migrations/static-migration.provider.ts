import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001-tenants-and-api-keys.js';
import * as m0002 from './0002-policies.js';
import * as m0003 from './0003-audit.js';
import * as m0004 from './0004-metering.js';
import * as m0005 from './0005-key-rate-limits.js';
import * as m0006 from './0006-audit-event-id-not-unique.js';

/**
 * Every migration, in order, compiled into the application: no directory scan at run time, so
 * it works the same from src/ (tests), dist/ (production) and a bundled CLI. Add new ones here.
 */
const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-tenants-and-api-keys': m0001,
  '0002-policies': m0002,
  '0003-audit': m0003,
  '0004-metering': m0004,
  '0005-key-rate-limits': m0005,
  '0006-audit-event-id-not-unique': m0006,
};

export class StaticMigrationProvider implements MigrationProvider {
  getMigrations(): Promise<Record<string, Migration>> {
    return Promise.resolve({ ...MIGRATIONS });
  }
}
