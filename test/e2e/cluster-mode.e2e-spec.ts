import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storedEntries } from '../../src/governance/audit/audit-store.source.js';
import { verifyAuditChain } from '../../src/governance/audit/audit.verifier.js';
import { KyselyAuditRepository } from '../../src/storage/kysely-audit.repository.js';
import { type GatewayProcess, spawnGateway } from '../helpers/gateway-process.js';
import { openDatabase } from '../helpers/storage-harness.js';
import {
  auditedResponseWriters,
  listeningWorkers,
  until,
  workerPids,
} from '../helpers/cluster-gateway.js';

const SECRET = 'cluster-mode-secret-0123456789abcdefghijk';
const hello = { model: 'mock/echo', messages: [{ role: 'user', content: 'hi' }] };

describe('cluster mode (GATEWAY_WORKERS)', () => {
  let dir: string;
  let url: string;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-cluster-'));
    url = `file:${join(dir, 'gateway.db')}`;
    gateway = await spawnGateway({
      GATEWAY_WORKERS: '2',
      GATEWAY_DATABASE_URL: url,
      GATEWAY_AUDIT_HMAC_SECRET: SECRET,
      GATEWAY_SHUTDOWN_GRACE_MS: '3000',
    });
    await until('both workers listening', gateway, () => listeningWorkers(gateway) >= 2);
  }, 60_000);
  afterAll(async () => {
    await gateway?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** `count` calls, eight at a time; every one must be answered 200. Resolves to trace ids. */
  async function calls(count: number): Promise<string[]> {
    const ids: string[] = [];
    const one = async () => {
      while (ids.length < count) {
        const res = await fetch(`${gateway.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', connection: 'close' },
          body: JSON.stringify(hello),
        });
        await res.arrayBuffer();
        expect(res.status).toBe(200);
        ids.push(res.headers.get('x-trace-id') ?? '');
      }
    };
    await Promise.all(Array.from({ length: 8 }, one));
    return ids;
  }

  it('spreads calls over several workers, replaces a killed one, and stops cleanly on SIGTERM', async () => {
    const [first, second] = workerPids(gateway);
    expect(first).toBeDefined();
    expect(second).toBeDefined();
    const writerOf = (pid: number | undefined) => (writer: string) => writer.includes(`-${pid}-`);

    // New connections go round-robin: both workers answer.
    const before = await calls(60);
    let audited = new Map<string, string>();
    await until('the first calls audited', gateway, async () => {
      audited = await auditedResponseWriters(url);
      return before.every((id) => audited.has(id));
    });
    const writers = new Set(before.map((id) => audited.get(id) ?? ''));
    expect(writers.size).toBe(2);
    expect([...writers].some(writerOf(first))).toBe(true);
    expect([...writers].some(writerOf(second))).toBe(true);

    // A worker killed outright is replaced, and calls keep being answered meanwhile.
    process.kill(first, 'SIGKILL');
    await until('the death noticed', gateway, () =>
      gateway.output.some((line) => line.includes('died unexpectedly')),
    );
    const during = await calls(20);
    await until('a replacement listening', gateway, () => listeningWorkers(gateway) >= 3);
    const third = workerPids(gateway)[2];
    expect(third).toBeDefined();
    expect(third).not.toBe(first);
    let after: string[] = [];
    await until('the replacement answering', gateway, async () => {
      after = after.concat(await calls(20));
      const now = await auditedResponseWriters(url);
      return after.some((id) => writerOf(third)(now.get(id) ?? ''));
    });

    // SIGTERM to the primary: every worker drains and flushes, then the primary exits 0.
    expect(await gateway.stop(20_000)).toBe(0);
    expect(gateway.output.some((line) => line.includes('"failed_workers":0'))).toBe(true);
    audited = await auditedResponseWriters(url);
    expect([...before, ...during, ...after].filter((id) => !audited.has(id))).toEqual([]);
    const db = openDatabase(url);
    try {
      const report = await verifyAuditChain(storedEntries(new KyselyAuditRepository(db)), {
        secret: SECRET,
      });
      expect(report).toMatchObject({ valid: true });
    } finally {
      await db.destroy();
    }
  }, 120_000);
});

describe('cluster mode refusals', () => {
  it('refuses to start several workers on an in-memory SQLite database', async () => {
    await expect(
      spawnGateway({ GATEWAY_WORKERS: '2', GATEWAY_DATABASE_URL: ':memory:' }),
    ).rejects.toThrow(/in-memory SQLite database cannot be shared by 2 workers/);
  });

  it('refuses a fixed instance id with several workers, naming the setting', async () => {
    await expect(
      spawnGateway({ GATEWAY_WORKERS: '2', GATEWAY_INSTANCE_ID: 'replica-7' }),
    ).rejects.toThrow(/exited at start-up[\s\S]*server\.instance-id/);
  });
});
