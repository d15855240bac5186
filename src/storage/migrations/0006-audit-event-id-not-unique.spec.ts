import { Migrator, sql } from 'kysely';
import { sealRecord } from '../../governance/audit/audit-chain.js';
import { storedEntries } from '../../governance/audit/audit-store.source.js';
import type { AuditRecord } from '../../governance/audit/audit.types.js';
import { verifyAuditChain } from '../../governance/audit/audit.verifier.js';
import {
  createTestDatabase,
  openDatabase,
  type TestDatabase,
  type TestDatabaseKind,
} from '../../../test/helpers/storage-harness.js';
import { migrateToLatest } from '../database.migrator.js';
import type { GatewayDatabase } from '../database.types.js';
import { KyselyAuditRepository } from '../kysely-audit.repository.js';
import { StaticMigrationProvider } from './static-migration.provider.js';

const SECRET = 'migration-test-secret-0123456789abcdefgh';

function chain(writer: string, count: number): AuditRecord[] {
  const records: AuditRecord[] = [];
  for (let seq = 1; seq <= count; seq++) {
    records.push(
      sealRecord(
        {
          seq,
          event_id: `${writer}-event-${seq}`,
          timestamp: `2026-12-07T05:00:${String(seq).padStart(2, '0')}.000001Z`,
          writer,
          tenant: seq % 2 === 0 ? 'acme' : null,
          key_id: 'key-1',
          event_type: 'GATEWAY_RESPONSE',
          payload: { trace_id: `${writer}-trace-${seq}`, status: 200, n: seq },
          prev_hash: records.at(-1)?.hash ?? null,
        },
        SECRET,
      ),
    );
  }
  return records;
}

/** The names of audit_events' indexes, whatever the store. */
async function indexes(db: GatewayDatabase, kind: TestDatabaseKind): Promise<string[]> {
  const query =
    kind === 'sqlite'
      ? sql<{
          name: string;
        }>`select name from sqlite_master where type = 'index' and tbl_name = 'audit_events'`
      : sql<{
          name: string;
        }>`select indexname as name from pg_indexes where tablename = 'audit_events'`;
  return (await query.execute(db)).rows.map((r) => r.name).sort();
}

describe.each<TestDatabaseKind>(['sqlite', 'postgres'])(
  'migration 0006-audit-event-id-not-unique on %s',
  (kind) => {
    let database: TestDatabase;
    let db: GatewayDatabase;
    let store: KyselyAuditRepository;
    const before = chain('w', 40);

    beforeAll(async () => {
      database = await createTestDatabase(kind);
      db = openDatabase(database.url);
      const migrator = new Migrator({ db, provider: new StaticMigrationProvider() });
      const { error } = await migrator.migrateTo('0005-key-rate-limits');
      expect(error).toBeUndefined();
      store = new KyselyAuditRepository(db);
      await store.append(before, []);
      // Before it, an event id could not be stored twice.
      const [other] = chain('x', 1);
      await expect(store.append([{ ...other, event_id: 'w-event-1' }], [])).rejects.toBeDefined();
      expect(await migrateToLatest(db)).toEqual(['0006-audit-event-id-not-unique']);
    }, 20_000);
    afterAll(async () => {
      await db?.destroy();
      await database?.drop();
    });

    it('keeps every row as it was, and the chain verifies', async () => {
      expect(await store.chain('w', 0, 100)).toEqual(before);
      const report = await verifyAuditChain(storedEntries(store), { secret: SECRET });
      expect(report).toMatchObject({ valid: true, checked: 40 });
      expect(await store.head('w')).toMatchObject({ seq: 40, hash: before[39].hash });
    });

    it('keeps the indexes the admin API filters on, and drops only the event id one', async () => {
      const names = await indexes(db, kind);
      expect(names).toEqual(
        expect.arrayContaining([
          'audit_events_tenant_idx',
          'audit_events_timestamp_idx',
          'audit_events_trace_idx',
        ]),
      );
      // What is left besides them is the primary key's own index.
      expect(names).toHaveLength(4);
      expect(names.some((n) => n.includes('event_id'))).toBe(false);
      expect((await store.search({ traceId: 'w-trace-7' }, 10)).map((r) => r.seq)).toEqual([7]);
      expect(await store.search({ tenant: 'acme' }, 100)).toHaveLength(20);
    });

    it('keeps the primary key: a seq is still stored once per writer', async () => {
      await expect(store.append([{ ...before[0], event_id: 'another' }], [])).rejects.toBeDefined();
      expect(await store.head('w')).toMatchObject({ seq: 40 });
    });

    it('stores another writer record even with an event id already seen', async () => {
      const [other] = chain('y', 1);
      await store.append([{ ...other, event_id: 'w-event-2' }], []);
      expect(await store.head('y')).toMatchObject({ seq: 1 });
    });

    it('keeps the table append-only', async () => {
      await expect(
        db.updateTable('audit_events').set({ payload: '{}' }).where('writer', '=', 'w').execute(),
      ).rejects.toMatchObject({ message: expect.stringMatching(/append-only/) });
      await expect(db.deleteFrom('audit_events').execute()).rejects.toMatchObject({
        message: expect.stringMatching(/append-only/),
      });
      if (kind === 'postgres') {
        await expect(sql`truncate audit_events`.execute(db)).rejects.toMatchObject({
          message: expect.stringMatching(/append-only/),
        });
      }
      expect(await store.chain('w', 0, 100)).toHaveLength(40);
    });
  },
);
