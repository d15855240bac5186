import { generateKeyPairSync } from 'node:crypto';
import { sealRecord, signCheckpoint } from '../governance/audit/audit-chain.js';
import { storedEntries } from '../governance/audit/audit-store.source.js';
import type { AuditRecord } from '../governance/audit/audit.types.js';
import { verifyAuditChain } from '../governance/audit/audit.verifier.js';
import {
  createTestDatabase,
  openDatabase,
  type TestDatabase,
} from '../../test/helpers/storage-harness.js';
import { toAuditRow } from './audit-row.mapper.js';
import { resolveDatabaseTarget } from './database-target.js';
import { migrateToLatest } from './database.migrator.js';
import type { GatewayDatabase } from './database.types.js';
import { KyselyAuditRepository } from './kysely-audit.repository.js';
import { SqliteAuditAppender } from './sqlite-audit.appender.js';

const SECRET = 'appender-test-secret-0123456789abcdefghijk';

function chain(writer: string, count: number, from = 1, prev: string | null = null): AuditRecord[] {
  const records: AuditRecord[] = [];
  for (let seq = from; seq < from + count; seq++) {
    const record = sealRecord(
      {
        seq,
        event_id: `${writer}-${seq}`,
        timestamp: `2026-12-07T04:00:${String(seq).padStart(2, '0')}.000001Z`,
        writer,
        tenant: seq % 3 === 0 ? null : 'acme',
        key_id: seq % 2 === 0 ? 'key-1' : null,
        event_type: 'GATEWAY_RESPONSE',
        payload:
          seq % 4 === 0
            ? { n: seq, text: 'é\u0000🌍' }
            : { trace_id: `${writer}-trace-${seq}`, n: seq, nested: { list: [1, null, 'x'] } },
        prev_hash: records.at(-1)?.hash ?? prev,
      },
      SECRET,
    );
    records.push(record);
  }
  return records;
}

describe(SqliteAuditAppender.name, () => {
  let database: TestDatabase;
  let db: GatewayDatabase;
  let kysely: KyselyAuditRepository;
  let appender: SqliteAuditAppender;

  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    db = openDatabase(database.url);
    await migrateToLatest(db);
    kysely = new KyselyAuditRepository(db);
    const target = resolveDatabaseTarget({ databaseUrl: database.url, sqlitePath: '' });
    if (target.kind !== 'sqlite') throw new Error('a SQLite test database was expected');
    appender = await SqliteAuditAppender.open(target.path);
  });
  afterAll(async () => {
    appender?.close();
    await db?.destroy();
    await database?.drop();
  });

  it('writes the rows Kysely writes: the same records read back, the chain verifies', async () => {
    const records = chain('w', 40);
    const { privateKey } = generateKeyPairSync('ed25519');
    const head = records[39];
    const checkpoint = signCheckpoint(
      { writer: 'w', seq: 40, hash: head.hash, timestamp: head.timestamp },
      privateKey,
    );
    // Two batches, as the writer commits them, the checkpoint with the second.
    await appender.append(records.slice(0, 25), []);
    await appender.append(records.slice(25), [checkpoint]);
    // Kysely writes a chain too: both stores hold exactly the rows the one mapper makes.
    const other = chain('k', 40);
    await kysely.append(other, []);
    const rows = (writer: string) =>
      db
        .selectFrom('audit_events')
        .selectAll()
        .where('writer', '=', writer)
        .orderBy('seq')
        .execute();
    expect(await rows('w')).toEqual(records.map(toAuditRow));
    expect(await rows('k')).toEqual(other.map(toAuditRow));
    expect(await kysely.chain('w', 0, 100)).toEqual(records);
    expect(await kysely.checkpoints('w', 0, 10)).toEqual([checkpoint]);
    const report = await verifyAuditChain(storedEntries(kysely), { secret: SECRET, writer: 'w' });
    expect(report).toMatchObject({ valid: true, checked: 40, checkpoints: 1 });
  });

  it('reads the chain head and last checkpoint it resumes from', async () => {
    expect(await appender.head('w')).toEqual({
      seq: 40,
      hash: (await kysely.head('w'))?.hash,
      timestamp: '2026-12-07T04:00:40.000001Z',
    });
    expect(await appender.lastCheckpoint('w')).toBe(40);
    expect(await appender.head('nobody')).toBeUndefined();
    expect(await appender.lastCheckpoint('nobody')).toBe(0);
  });

  it('commits a batch all or nothing: a duplicate seq refuses the whole batch', async () => {
    const [first, second] = chain('d', 2);
    await expect(
      appender.append([first, second, { ...first, event_id: 'd-dup' }], []),
    ).rejects.toThrow(/UNIQUE constraint failed/);
    expect(await appender.head('d')).toBeUndefined();
    // The connection is usable after the rollback.
    await appender.append([first, second], []);
    expect(await appender.head('d')).toMatchObject({ seq: 2 });
  });

  it('writes nothing for an empty batch', async () => {
    await expect(appender.append([], [])).resolves.toBeUndefined();
  });
});
