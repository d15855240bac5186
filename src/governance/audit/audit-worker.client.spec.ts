import { Logger } from '@nestjs/common';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTestDatabase,
  openDatabase,
  type TestDatabase,
  type TestDatabaseKind,
} from '../../../test/helpers/storage-harness.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { ErrorCode } from '../../common/errors/error-code.js';
import {
  AuditRepository,
  type AuditCursor,
  type AuditFilter,
} from '../../storage/audit.repository.js';
import { resolveDatabaseTarget, type DatabaseTarget } from '../../storage/database-target.js';
import { migrateToLatest } from '../../storage/database.migrator.js';
import type { GatewayDatabase } from '../../storage/database.types.js';
import { KyselyAuditRepository } from '../../storage/kysely-audit.repository.js';
import { AuditAdmissionGuard } from './audit-admission.guard.js';
import { readJsonl } from './audit-jsonl.js';
import { storedEntries } from './audit-store.source.js';
import type { AuditTrail } from './audit-trail.service.js';
import { AuditWorkerClient } from './audit-worker.client.js';
import type { AuditSettings } from './audit.settings.js';
import type {
  AuditCheckpoint,
  AuditEvent,
  AuditPayload,
  AuditRecord,
  ChainHead,
} from './audit.types.js';
import { verifyAuditChain } from './audit.verifier.js';

/*
 * The audit writer across the thread boundary, with the real worker (the built
 * `dist/governance/audit/audit-writer.worker.js`: `npm test` builds first) on both stores, and
 * through the gateway thread's own store for an in-memory database.
 */

/** The store port in memory, with a switch that makes it refuse commits. */
class MemoryAuditStore extends AuditRepository {
  records: AuditRecord[] = [];
  saved: AuditCheckpoint[] = [];
  failing = false;

  head(writer: string): Promise<ChainHead | undefined> {
    const last = this.records.filter((r) => r.writer === writer).at(-1);
    return Promise.resolve(last && { seq: last.seq, hash: last.hash, timestamp: last.timestamp });
  }
  lastCheckpoint(writer: string): Promise<number> {
    return Promise.resolve(this.saved.filter((c) => c.writer === writer).at(-1)?.seq ?? 0);
  }
  append(records: readonly AuditRecord[], checkpoints: readonly AuditCheckpoint[]) {
    if (this.failing) return Promise.reject(new Error('database is locked'));
    this.records.push(...records);
    this.saved.push(...checkpoints);
    return Promise.resolve();
  }
  writers() {
    return Promise.resolve([...new Set(this.records.map((r) => r.writer))]);
  }
  chain(writer: string, afterSeq: number, limit: number) {
    return Promise.resolve(
      this.records.filter((r) => r.writer === writer && r.seq > afterSeq).slice(0, limit),
    );
  }
  checkpoints(writer: string, afterSeq: number, limit: number) {
    return Promise.resolve(
      this.saved.filter((c) => c.writer === writer && c.seq > afterSeq).slice(0, limit),
    );
  }
  search(_filter: AuditFilter, _limit: number, _cursor?: AuditCursor): Promise<AuditRecord[]> {
    return Promise.resolve([]);
  }
}

const SECRET = 'client-test-secret-0123456789abcdefghij';
const keys = generateKeyPairSync('ed25519');
const IN_MEMORY: DatabaseTarget = { kind: 'sqlite', path: ':memory:' };
/**
 * A stand-in for the worker that dies the way a native fault or an uncaught error would: it starts
 * like the real one, then ends the thread (exit code 1) on the first events it is handed.
 */
const CRASHING_WORKER = new URL(
  `data:text/javascript,${encodeURIComponent(`
    import { parentPort } from 'node:worker_threads';
    parentPort.on('message', (message) => { if (message.type === 'events') process.exit(1); });
    parentPort.postMessage({ type: 'ready' });
  `)}`,
);

function settings(overrides: Partial<AuditSettings> = {}): AuditSettings {
  return {
    enabled: true,
    writer: 'gw-client-test',
    secret: SECRET,
    checkpointEvery: 1_000,
    checkpointIntervalMs: 60_000,
    flushIntervalMs: 5,
    batchSize: 100,
    maxQueue: 10_000,
    captureContent: false,
    warnings: [],
    ...overrides,
  };
}

const event = (n: number): AuditEvent => ({
  eventType: 'GATEWAY_RESPONSE',
  tenant: 'acme',
  keyId: 'key-1',
  payload: { trace_id: `t-${n}`, status: 200, text: 'é🌍' },
});

/** The guard as the pipeline runs it, over a trail that is this client. */
function guardOver(client: AuditWorkerClient): AuditAdmissionGuard {
  return new AuditAdmissionGuard({
    get saturated() {
      return client.saturated;
    },
  } as AuditTrail);
}

describe(AuditWorkerClient.name, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gw-audit-client-'));
    Logger.overrideLogger(false);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe.each<TestDatabaseKind>(['sqlite', 'postgres'])('on its own %s connection', (kind) => {
    let database: TestDatabase;
    let db: GatewayDatabase;
    let target: DatabaseTarget;

    beforeAll(async () => {
      database = await createTestDatabase(kind);
      db = openDatabase(database.url);
      await migrateToLatest(db);
      target = resolveDatabaseTarget({ databaseUrl: database.url, sqlitePath: '' });
    });
    afterAll(async () => {
      await db.destroy();
      await database.drop();
    });

    it('commits everything recorded at shutdown, signed, mirrored, and resumes the chain after a restart', async () => {
      const store = new KyselyAuditRepository(db);
      const file = join(dir, `${kind}.jsonl`);
      const options = settings({ signingKey: keys.privateKey, batchSize: 64, file });
      const first = new AuditWorkerClient(options, store, target);
      await first.start();
      for (let n = 1; n <= 500; n++) first.record(event(n));
      expect(first.depth).toBe(500);
      await first.stop();
      expect(first.depth).toBe(0);
      expect(first.snapshot()).toMatchObject({ written: 500, largestBatch: 64, failed: false });

      const second = new AuditWorkerClient(options, store, target);
      await second.start();
      second.record(event(501));
      await second.flush();
      expect(second.depth).toBe(0);
      await second.stop();

      const records = await store.chain(options.writer, 0, 1_000);
      expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 501 }, (_, i) => i + 1));
      expect(records[500].prev_hash).toBe(records[499].hash);
      expect(records[0].payload).toEqual(event(1).payload);
      const publicKey = createPublicKey(keys.privateKey);
      expect(
        await verifyAuditChain(storedEntries(store), { secret: SECRET, publicKey }),
      ).toMatchObject({ valid: true, checked: 501, writers: [{ signed_through: 501 }] });
      expect(await verifyAuditChain(readJsonl(file), { secret: SECRET, publicKey })).toMatchObject({
        valid: true,
        checked: 501,
        writers: [{ signed_through: 501 }],
      });
    });
  });

  it('refuses to start on a JSONL file whose last line is damaged, with the mirror’s message', async () => {
    const file = join(dir, 'damaged.jsonl');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, '{"seq":1,"event_id":"x"');
    const client = new AuditWorkerClient(settings({ file }), new MemoryAuditStore(), IN_MEMORY);
    await expect(client.start()).rejects.toThrow(
      /audit file .*damaged\.jsonl is damaged: its last line has no line break at its end.*second chain/,
    );
  });

  it('writes an in-memory database through the gateway thread’s store, in the order recorded', async () => {
    const store = new MemoryAuditStore();
    const client = new AuditWorkerClient(settings({ batchSize: 100 }), store, IN_MEMORY);
    const starting = client.start();
    // Recorded while the worker resumes the chain: kept, in order.
    client.record(event(1));
    await starting;
    // More than one message's worth at once.
    for (let n = 2; n <= 1_200; n++) client.record(event(n));
    await client.flush();
    expect(store.records.map((r) => r.seq)).toEqual(Array.from({ length: 1_200 }, (_, i) => i + 1));
    expect(store.records.map((r) => r.payload.trace_id)).toEqual(
      Array.from({ length: 1_200 }, (_, i) => `t-${i + 1}`),
    );
    await client.stop();
  });

  it('still records an event whose payload structured clone cannot take, made JSON-safe', async () => {
    const store = new MemoryAuditStore();
    const client = new AuditWorkerClient(settings(), store, IN_MEMORY);
    await client.start();
    const odd = { trace_id: 't-odd', callback: () => 1, n: Number.NaN } as unknown as AuditPayload;
    client.record({ ...event(1), payload: odd });
    client.record(event(2));
    await client.stop();
    expect(store.records.map((r) => r.payload)).toEqual([
      { trace_id: 't-odd', n: null },
      event(2).payload,
    ]);
  });

  it('refuses past max-queue while the store is stalled, until drained to half, then records one AUDIT_OVERFLOW', async () => {
    const store = new MemoryAuditStore();
    const client = new AuditWorkerClient(
      settings({ maxQueue: 10, batchSize: 3 }),
      store,
      IN_MEMORY,
    );
    await client.start();
    const guard = guardOver(client);
    store.failing = true;
    for (let n = 1; n <= 9; n++) client.record(event(n));
    expect(guard.canActivate()).toBe(true);
    client.record(event(10));
    expect(() => guard.canActivate()).toThrow(GatewayError);
    client.countRefusal();
    client.countRefusal();
    await expect(client.flush()).rejects.toThrow(/refused a batch/);
    expect(client.snapshot()).toMatchObject({ saturated: true, queueDepth: 10, refused: 2 });
    store.failing = false;
    await client.flush();
    expect(client.saturated).toBe(false);
    await client.stop();
    expect(store.records.map((r) => r.seq)).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
    const overflow = store.records.filter((r) => r.event_type === 'AUDIT_OVERFLOW');
    expect(overflow).toHaveLength(1);
    expect(overflow[0].payload).toMatchObject({ refused_calls: 2, max_queue: 10 });
    expect(overflow[0].payload.first_refused_at).toMatch(/\.\d{6}Z$/);
  });

  it('fails closed when the worker dies: every call refused with audit_unavailable, never served unaudited', async () => {
    const errors: unknown[] = [];
    Logger.overrideLogger({ log() {}, warn() {}, error: (m: unknown) => errors.push(m) });
    try {
      const client = new AuditWorkerClient(
        settings(),
        new MemoryAuditStore(),
        IN_MEMORY,
        CRASHING_WORKER,
      );
      await client.start();
      const guard = guardOver(client);
      expect(guard.canActivate()).toBe(true);
      client.record(event(1));
      const flushed = client.flush();
      await expect(flushed).rejects.toThrow(/audit writer has stopped/);
      let refusal: unknown;
      try {
        guard.canActivate();
      } catch (err) {
        refusal = err;
      }
      expect(refusal).toBeInstanceOf(GatewayError);
      expect((refusal as GatewayError).code).toBe(ErrorCode.AuditUnavailable);
      expect(client.snapshot()).toMatchObject({ failed: true, saturated: true, queueDepth: 1 });
      client.record(event(2));
      expect(client.depth).toBe(2);
      await expect(client.flush()).rejects.toThrow(/audit writer has stopped/);
      expect(JSON.stringify(errors)).toMatch(
        /audit writer thread stopped \(it exited with code 1\)/,
      );
      await client.stop();
    } finally {
      Logger.overrideLogger(false);
    }
  });

  it('says how to build the worker when its script is missing', async () => {
    const missing = new URL('./no-such-audit.worker.js', import.meta.url);
    const client = new AuditWorkerClient(settings(), new MemoryAuditStore(), IN_MEMORY, missing);
    await expect(client.start()).rejects.toThrow(
      /worker script .* does not exist: build the gateway/,
    );
  });
});
