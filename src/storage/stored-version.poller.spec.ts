import { afterEach, describe, expect, it } from '@jest/globals';
import {
  createTestDatabase,
  openDatabase,
  type TestDatabase,
  type TestDatabaseKind,
} from '../../test/helpers/storage-harness.js';
import { migrateToLatest } from './database.migrator.js';
import { resolveDatabaseTarget } from './database-target.js';
import type { GatewayDatabase } from './database.types.js';
import { KyselyBudgetRepository } from './kysely-budget.repository.js';
import { KyselyPolicyRepository } from './kysely-policy.repository.js';
import { StoredVersionPoller } from './stored-version.poller.js';
import { StoredVersionReader } from './stored-version.reader.js';

/** A watcher that records how often it was told its cache is stale, holding `version`. */
function watcher(version: number) {
  const seen = { version, stale: 0 };
  return {
    seen,
    watch: { loaded: () => seen.version, stale: () => void seen.stale++ },
  };
}

const POLICY = {
  id: 'p1',
  tenant: null,
  status: 'ACTIVE' as const,
  source: 'api' as const,
  dsl: 'rules: []\n',
};
const BUDGET = {
  id: 'b1',
  tenantId: 'acme',
  keyId: null,
  period: 'day' as const,
  limitUsd: 1,
  softLimitPct: 80,
  enabled: true,
  source: 'api' as const,
};

/** Resolves once the poller's pending read (if any) has been compared. */
const settled = () => new Promise((done) => setTimeout(done, 20));

/**
 * The shared version poll (issue 14: an idle tick allocates next to nothing), on a real database:
 * a write made through another connection (another replica) is seen by the next tick and tells the
 * right watcher only; nothing changed tells nobody. SQLite files are read through the poll's own
 * connection; PostgreSQL and in-memory SQLite through the gateway's database.
 */
describe.each<TestDatabaseKind | 'sqlite-memory'>(['sqlite', 'postgres', 'sqlite-memory'])(
  StoredVersionPoller.name + ' on %s',
  (kind) => {
    let database: TestDatabase | undefined;
    let db: GatewayDatabase;
    let other: GatewayDatabase;
    let poller: StoredVersionPoller | undefined;

    async function open(): Promise<void> {
      const url =
        kind === 'sqlite-memory' ? ':memory:' : (database = await createTestDatabase(kind)).url;
      db = openDatabase(url);
      await migrateToLatest(db);
      // Another replica: its own connection (in memory, the same one: nothing else sees it).
      other = kind === 'sqlite-memory' ? db : openDatabase(url);
      poller = new StoredVersionPoller(
        db,
        resolveDatabaseTarget({ databaseUrl: url, sqlitePath: '' }),
      );
    }

    afterEach(async () => {
      await poller?.onApplicationShutdown();
      if (other !== db) await other.destroy();
      await db.destroy();
      await database?.drop();
      database = undefined;
      poller = undefined;
    });

    it('tells the watcher of the version that moved, and nobody while nothing changes', async () => {
      await open();
      const policy = watcher(0);
      const metering = watcher(0);
      poller!.watch('policy', 60_000, policy.watch);
      poller!.watch('metering', 60_000, metering.watch);
      await poller!.onApplicationBootstrap();

      for (let i = 0; i < 3; i++) {
        poller!.tick();
        await settled();
      }
      expect([policy.seen.stale, metering.seen.stale]).toEqual([0, 0]);

      await new KyselyPolicyRepository(other).insert(POLICY);
      poller!.tick();
      await settled();
      expect([policy.seen.stale, metering.seen.stale]).toEqual([1, 0]);
      // Still stale until the watcher has reloaded; then quiet again.
      poller!.tick();
      await settled();
      expect(policy.seen.stale).toBe(2);
      policy.seen.version = 1;
      poller!.tick();
      await settled();
      expect(policy.seen.stale).toBe(2);

      await new KyselyBudgetRepository(other).insert(BUDGET);
      poller!.tick();
      await settled();
      expect([policy.seen.stale, metering.seen.stale]).toEqual([2, 1]);
    });

    it('tells every watcher when the versions cannot be read', async () => {
      await open();
      const policy = watcher(0);
      const metering = watcher(0);
      poller!.watch('policy', 60_000, policy.watch);
      poller!.watch('metering', 60_000, metering.watch);
      await poller!.onApplicationBootstrap();
      // The version rows gone: what a broken or foreign database looks like to the poll.
      await other.deleteFrom('policy_version').execute();
      poller!.tick();
      await settled();
      expect([policy.seen.stale, metering.seen.stale]).toEqual([1, 1]);
    });

    it('reads a file through a connection of its own, anything else through queries', async () => {
      await open();
      const reader = await StoredVersionReader.open(
        resolveDatabaseTarget({
          databaseUrl: kind === 'sqlite-memory' ? ':memory:' : database!.url,
          sqlitePath: '',
        }),
        db,
      );
      try {
        expect(reader.read() === true).toBe(kind === 'sqlite');
        await reader.read();
        expect(reader.versions).toEqual({ policy: 0, metering: 0 });
      } finally {
        reader.close();
      }
    });
  },
);

describe(`${StoredVersionPoller.name} timer`, () => {
  it('polls at the shorter of the watchers’ intervals, from bootstrap until shutdown', async () => {
    const db = openDatabase(':memory:');
    await migrateToLatest(db);
    const poller = new StoredVersionPoller(db, { kind: 'sqlite', path: ':memory:' });
    const fast = watcher(-1);
    poller.watch('policy', 60_000, fast.watch);
    poller.watch('metering', 100, watcher(0).watch);
    await poller.onApplicationBootstrap();
    try {
      // The policy watcher holds -1, the stored version is 0: each tick tells it.
      const deadline = Date.now() + 5_000;
      while (fast.seen.stale < 2 && Date.now() < deadline) await settled();
      expect(fast.seen.stale).toBeGreaterThanOrEqual(2);
    } finally {
      await poller.onApplicationShutdown();
      await db.destroy();
    }
    const after = fast.seen.stale;
    await new Promise((done) => setTimeout(done, 300));
    expect(fast.seen.stale).toBe(after);
  });
});
