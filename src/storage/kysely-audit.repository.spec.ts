import { sql } from 'kysely';
import { generateKeyPairSync } from 'node:crypto';
import { sealRecord, signCheckpoint } from '../governance/audit/audit-chain.js';
import { storedEntries } from '../governance/audit/audit-store.source.js';
import type { AuditRecord } from '../governance/audit/audit.types.js';
import { verifyAuditChain } from '../governance/audit/audit.verifier.js';
import {
  createTestDatabase,
  openDatabase,
  type TestDatabase,
  type TestDatabaseKind,
} from '../../test/helpers/storage-harness.js';
import { toAuditRow } from './audit-row.mapper.js';
import { migrateToLatest } from './database.migrator.js';
import type { GatewayDatabase } from './database.types.js';
import { KyselyAuditRepository } from './kysely-audit.repository.js';
import { KyselyTenantRepository } from './kysely-tenant.repository.js';
import { CredentialCipher } from './credential.cipher.js';

const SECRET = 'store-test-secret-0123456789abcdefghijk';

function chain(writer: string, count: number, tenant = 'acme'): AuditRecord[] {
  const records: AuditRecord[] = [];
  for (let i = 1; i <= count; i++) {
    records.push(
      sealRecord(
        {
          seq: i,
          event_id: `${writer}-${i}`,
          timestamp: `2026-12-07T03:00:${String(i).padStart(2, '0')}.000001Z`,
          writer,
          tenant,
          key_id: null,
          event_type: i % 2 === 0 ? 'ADMIN_CHANGE' : 'GATEWAY_RESPONSE',
          payload: { trace_id: `${writer}-trace-${i}`, n: i, text: 'é\u0000🌍' },
          prev_hash: records[i - 2]?.hash ?? null,
        },
        SECRET,
      ),
    );
  }
  return records;
}

describe.each<TestDatabaseKind>(['sqlite', 'postgres'])('KyselyAuditRepository on %s', (kind) => {
  let database: TestDatabase;
  let db: GatewayDatabase;
  let store: KyselyAuditRepository;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    db = openDatabase(database.url);
    await migrateToLatest(db);
    store = new KyselyAuditRepository(db);
    const a = chain('a', 30);
    const { privateKey } = generateKeyPairSync('ed25519');
    const head = a[29];
    await store.append(a, [
      signCheckpoint(
        { writer: 'a', seq: 30, hash: head.hash, timestamp: head.timestamp },
        privateKey,
      ),
    ]);
    await store.append(chain('b', 5, 'other'), []);
  }, 20_000);
  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  it('keeps records exactly as sealed: the chains verify from the database', async () => {
    expect(await store.head('a')).toMatchObject({ seq: 30 });
    expect(await store.head('nobody')).toBeUndefined();
    expect(await store.writers()).toEqual(['a', 'b']);
    const report = await verifyAuditChain(storedEntries(store), { secret: SECRET });
    expect(report).toMatchObject({ valid: true, checked: 35, checkpoints: 1 });
    expect(await store.lastCheckpoint('a')).toBe(30);
  });

  it('commits a batch all or nothing: a duplicate seq refuses the whole batch', async () => {
    const [first] = chain('c', 1);
    const duplicate = { ...first, event_id: 'c-dup' };
    await expect(store.append([first, duplicate], [])).rejects.toBeDefined();
    expect(await store.head('c')).toBeUndefined();
  });

  it('searches newest first with filters and a cursor', async () => {
    const page1 = await store.search({ tenant: 'acme' }, 10);
    expect(page1.map((r) => r.seq)).toEqual([30, 29, 28, 27, 26, 25, 24, 23, 22, 21]);
    const last = page1[9];
    const page2 = await store.search({ tenant: 'acme' }, 10, {
      timestamp: last.timestamp,
      writer: last.writer,
      seq: last.seq,
    });
    expect(page2[0].seq).toBe(20);
    expect(await store.search({ traceId: 'b-trace-3' }, 10)).toHaveLength(1);
    const admin = await store.search({ eventType: 'ADMIN_CHANGE', tenant: 'acme' }, 100);
    expect(admin).toHaveLength(15);
    const window = await store.search(
      { from: '2026-12-07T03:00:10.000001Z', to: '2026-12-07T03:00:12.000001Z' },
      100,
    );
    expect(window.map((r) => `${r.writer}${r.seq}`).sort()).toEqual(['a10', 'a11']);
  });

  it('refuses UPDATE and DELETE of audit rows (append-only)', async () => {
    await expect(
      db.updateTable('audit_events').set({ payload: '{}' }).where('writer', '=', 'a').execute(),
    ).rejects.toMatchObject({ message: expect.stringMatching(/append-only/) });
    await expect(db.deleteFrom('audit_events').execute()).rejects.toMatchObject({
      message: expect.stringMatching(/append-only/),
    });
    await expect(db.deleteFrom('audit_checkpoints').execute()).rejects.toMatchObject({
      message: expect.stringMatching(/append-only/),
    });
    if (kind === 'postgres') {
      await expect(sql`truncate audit_events`.execute(db)).rejects.toMatchObject({
        message: expect.stringMatching(/append-only/),
      });
    }
    expect(await store.head('a')).toMatchObject({ seq: 30 });
  });

  it('stores exactly the rows the mapper makes, in statements of up to 1,000 rows', async () => {
    const records = chain('m', 1_005, 'awk\'ward "tenant"').map((r, i) =>
      i % 3 === 0 ? { ...r, tenant: null, prev_hash: null } : r,
    );
    await store.append(records, []);
    const rows = await db
      .selectFrom('audit_events')
      .selectAll()
      .where('writer', '=', 'm')
      .orderBy('seq')
      .execute();
    expect(rows.map((r) => ({ ...r, seq: Number(r.seq) }))).toEqual(records.map(toAuditRow));
    expect(await store.chain('m', 0, 2_000)).toEqual(records);
  });

  it('lets a tenant be deleted: audit rows name it without a foreign key', async () => {
    const tenants = new KyselyTenantRepository(db, CredentialCipher.fromSetting(''));
    await tenants.create({ id: 'acme', name: 'Acme' });
    expect(await tenants.delete('acme')).toBeTruthy();
    expect((await store.search({ tenant: 'acme' }, 1)).length).toBe(1);
  });

  it('shows an edit made behind the backs of the triggers as a broken chain', async () => {
    const drop =
      kind === 'postgres'
        ? sql`drop trigger audit_events_append_only on audit_events`
        : sql`drop trigger audit_events_no_update`;
    await drop.execute(db);
    await db
      .updateTable('audit_events')
      .set({ payload: JSON.stringify({ trace_id: 'a-trace-7', n: 700, text: 'é\u0000🌍' }) })
      .where('writer', '=', 'a')
      .where('seq', '=', 7)
      .execute();
    const report = await verifyAuditChain(storedEntries(store), { secret: SECRET });
    expect(report.first_break).toMatchObject({ writer: 'a', seq: 7, reason: 'hash mismatch' });
  });
});
