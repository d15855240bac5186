import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AuditRepository,
  type AuditCursor,
  type AuditFilter,
} from '../../storage/audit.repository.js';
import { AuditFileMirror } from './audit-file.mirror.js';
import { readJsonl } from './audit-jsonl.js';
import { storedEntries } from './audit-store.source.js';
import type { AuditSettings } from './audit.settings.js';
import type { AuditCheckpoint, AuditEvent, AuditRecord, ChainHead } from './audit.types.js';
import { verifyAuditChain } from './audit.verifier.js';
import { AuditChainWriter, type AuditLog, isoMicros } from './audit.writer.js';

/** The store port in memory, with a switch that makes it refuse commits. */
class MemoryAuditStore extends AuditRepository {
  records: AuditRecord[] = [];
  saved: AuditCheckpoint[] = [];
  failing = false;
  commits: number[] = [];

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
    this.commits.push(records.length);
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

const SECRET = 'writer-test-secret-0123456789abcdefghij';
const keys = generateKeyPairSync('ed25519');

function settings(overrides: Partial<AuditSettings> = {}): AuditSettings {
  return {
    enabled: true,
    writer: 'gw-test',
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
  payload: { trace_id: `t-${n}`, status: 200 },
});

function entries(store: MemoryAuditStore) {
  return Promise.resolve(storedEntries(store));
}

/** The writer's error reports, unheard: these tests read the store and the chain instead. */
const quiet: AuditLog = { error: () => undefined };

describe(AuditChainWriter.name, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gw-audit-writer-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('queues without waiting, then commits in batches of at most batch-size', async () => {
    const store = new MemoryAuditStore();
    const writer = new AuditChainWriter(settings({ batchSize: 40 }), store, quiet);
    await writer.start();
    for (let n = 1; n <= 100; n++) writer.record(event(n));
    expect(store.records).toHaveLength(0);
    expect(writer.depth).toBe(100);
    await writer.flush();
    expect(store.commits).toEqual([40, 40, 20]);
    expect(store.records.map((r) => r.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(writer.snapshot()).toMatchObject({ written: 100, batches: 3, largestBatch: 40 });
    expect(await verifyAuditChain(await entries(store), { secret: SECRET })).toMatchObject({
      valid: true,
      checked: 100,
    });
    await writer.stop();
  });

  it('stamps ISO-8601 UTC microsecond timestamps that never go backwards', async () => {
    expect(isoMicros(1_765_076_645_123_456)).toBe('2025-12-07T03:04:05.123456Z');
    const store = new MemoryAuditStore();
    const writer = new AuditChainWriter(settings(), store, quiet);
    await writer.start();
    for (let n = 1; n <= 50; n++) writer.record(event(n));
    await writer.stop();
    const stamps = store.records.map((r) => r.timestamp);
    stamps.forEach((t) => expect(t).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/));
    expect([...stamps].sort()).toEqual(stamps);
  });

  it('flushes by itself within flush-interval-ms', async () => {
    const store = new MemoryAuditStore();
    const writer = new AuditChainWriter(settings({ flushIntervalMs: 10 }), store, quiet);
    await writer.start();
    writer.record(event(1));
    await new Promise((done) => setTimeout(done, 60));
    expect(store.records).toHaveLength(1);
    await writer.stop();
  });

  it('resumes its chain after a restart with the same writer id', async () => {
    const store = new MemoryAuditStore();
    const first = new AuditChainWriter(settings(), store, quiet);
    await first.start();
    first.record(event(1));
    first.record(event(2));
    await first.stop();
    const second = new AuditChainWriter(settings(), store, quiet);
    await second.start();
    second.record(event(3));
    await second.stop();
    expect(store.records.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(store.records[2].prev_hash).toBe(store.records[1].hash);
    expect((await verifyAuditChain(await entries(store), { secret: SECRET })).valid).toBe(true);
  });

  it('keeps a refused batch sealed and retries it: no seq is lost or skipped', async () => {
    const store = new MemoryAuditStore();
    const writer = new AuditChainWriter(settings({ batchSize: 10 }), store, quiet);
    await writer.start();
    store.failing = true;
    for (let n = 1; n <= 25; n++) writer.record(event(n));
    await expect(writer.flush()).rejects.toThrow(/refused a batch/);
    expect(writer.depth).toBe(25);
    store.failing = false;
    await writer.flush();
    expect(store.records.map((r) => r.seq)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect((await verifyAuditChain(await entries(store), { secret: SECRET })).valid).toBe(true);
    await writer.stop();
  });

  it('signs the chain head every N events and at shutdown', async () => {
    const store = new MemoryAuditStore();
    const writer = new AuditChainWriter(
      settings({ signingKey: keys.privateKey, checkpointEvery: 5, batchSize: 5 }),
      store,
      quiet,
    );
    await writer.start();
    for (let n = 1; n <= 12; n++) writer.record(event(n));
    await writer.flush();
    expect(store.saved.map((c) => c.seq)).toEqual([5, 10]);
    await writer.stop();
    expect(store.saved.map((c) => c.seq)).toEqual([5, 10, 12]);
    const report = await verifyAuditChain(await entries(store), {
      publicKey: createPublicKey(keys.privateKey),
    });
    expect(report).toMatchObject({ valid: true, writers: [{ signed_through: 12 }] });
  });

  it('mirrors every record and checkpoint to the JSONL file, which verifies on its own', async () => {
    const path = join(dir, 'mirror.jsonl');
    const store = new MemoryAuditStore();
    const writer = new AuditChainWriter(
      settings({ signingKey: keys.privateKey }),
      store,
      quiet,
      await AuditFileMirror.open(path),
    );
    await writer.start();
    for (let n = 1; n <= 7; n++) writer.record(event(n));
    await writer.stop();
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(8);
    expect(JSON.parse(lines[7])).toMatchObject({ record: 'checkpoint', seq: 7 });
    const report = await verifyAuditChain(readJsonl(path), {
      secret: SECRET,
      publicKey: keys.publicKey,
    });
    expect(report).toMatchObject({ valid: true, checked: 7, writers: [{ signed_through: 7 }] });
  });

  it('refuses to open a mirror whose last line is damaged, saying what is wrong', async () => {
    const path = join(dir, 'damaged.jsonl');
    writeFileSync(path, '{"seq":1,"event_id":"x"');
    await expect(AuditFileMirror.open(path)).rejects.toThrow(
      /audit file .*damaged\.jsonl is damaged: its last line has no line break at its end.*second chain/,
    );
  });

  it('records a payload JCS cannot take made safe, instead of losing the batch', async () => {
    const store = new MemoryAuditStore();
    const writer = new AuditChainWriter(settings(), store, quiet);
    await writer.start();
    writer.record({ ...event(1), payload: { text: 'lone \ud800 surrogate', n: Number.NaN } });
    writer.record(event(2));
    await writer.stop();
    expect(store.records.map((r) => r.payload)).toEqual([
      { text: 'lone \ufffd surrogate', n: null },
      event(2).payload,
    ]);
  });
});
