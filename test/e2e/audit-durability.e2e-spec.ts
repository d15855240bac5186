import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { AuditTrail } from '../../src/governance/audit/audit-trail.service.js';
import { storedEntries } from '../../src/governance/audit/audit-store.source.js';
import { verifyAuditChain } from '../../src/governance/audit/audit.verifier.js';
import { KyselyAuditRepository } from '../../src/storage/kysely-audit.repository.js';
import { startGateway, type GatewayUnderTest } from '../helpers/gateway-harness.js';
import { spawnGateway } from '../helpers/gateway-process.js';
import { createTestDatabase, openDatabase, type TestDatabase } from '../helpers/storage-harness.js';

const SECRET = 'durability-secret-0123456789abcdefghijk';
const hello = { model: 'mock/echo', messages: [{ role: 'user', content: 'hi' }] };

/** What a process lost or kept: the audit rows of its database, counted and verified. */
async function auditedResponses(url: string) {
  const db = openDatabase(url);
  try {
    const rows = await db
      .selectFrom('audit_events')
      .select('trace_id')
      .where('event_type', '=', 'GATEWAY_RESPONSE')
      .execute();
    const report = await verifyAuditChain(storedEntries(new KyselyAuditRepository(db)), {
      secret: SECRET,
    });
    return { traceIds: new Set(rows.map((r) => r.trace_id)), report };
  } finally {
    await db.destroy();
  }
}

describe('audit durability', () => {
  it('loses no event when a gateway under load is stopped with SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-audit-sigterm-'));
    const yaml = join(dir, 'slow-mock.yml');
    writeFileSync(yaml, 'gateway:\n  providers:\n    mock: { latency-ms: 150 }\n');
    const url = `file:${join(dir, 'gateway.db')}`;
    const gateway = await spawnGateway({
      GATEWAY_DATABASE_URL: url,
      GATEWAY_AUDIT_HMAC_SECRET: SECRET,
      GATEWAY_CONFIG_ADDITIONAL_LOCATION: yaml,
      // Keep-alive sockets that go idle after SIGTERM stay open until the grace period ends
      // (see the report of issue 12): keep it short so the test does not wait 30 s.
      GATEWAY_SHUTDOWN_GRACE_MS: '3000',
    });
    try {
      const answered: string[] = [];
      let stopped = false;
      const worker = async () => {
        while (!stopped) {
          try {
            const res = await fetch(`${gateway.url}/v1/chat/completions`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(hello),
            });
            await res.arrayBuffer();
            // Fastify answers calls arriving while it closes with a bare 503 of its own, before
            // any gateway hook (no trace id): those never reached the gateway.
            const traceId = res.headers.get('x-trace-id');
            if (traceId !== null) answered.push(traceId);
          } catch {
            // Refused or reset once the server stopped listening: never reached the gateway.
            return;
          }
        }
      };
      const workers = Array.from({ length: 32 }, worker);
      await sleep(800);
      const exit = gateway.stop(20_000);
      stopped = true;
      expect(await exit).toBe(0);
      await Promise.all(workers);
      expect(answered.length).toBeGreaterThan(50);
      const { traceIds, report } = await auditedResponses(url);
      expect(answered.filter((id) => !traceIds.has(id))).toEqual([]);
      // A call cut short by the grace period is audited too (client_gone), so never fewer rows.
      expect(traceIds.size).toBeGreaterThanOrEqual(answered.length);
      expect(report).toMatchObject({ valid: true, checked: traceIds.size });
    } finally {
      await gateway.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  describe('with a stalled PostgreSQL (a held table lock)', () => {
    let database: TestDatabase;
    let gw: GatewayUnderTest;
    let locker: pg.Client;

    beforeAll(async () => {
      database = await createTestDatabase('postgres');
      gw = await startGateway({
        env: { GATEWAY_DATABASE_URL: database.url, GATEWAY_AUDIT_HMAC_SECRET: SECRET },
        yaml: 'gateway:\n  audit: { max-queue: 5, batch-size: 2, flush-interval-ms: 5 }\n',
      });
      locker = new pg.Client({ connectionString: database.url });
      await locker.connect();
    }, 20_000);
    afterAll(async () => {
      await locker?.end();
      await gw?.close();
      await database?.drop();
    });

    const chat = () =>
      fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(hello),
      });

    it('refuses new calls with 503 audit_unavailable until the queue drains, then records the overflow', async () => {
      const trail = gw.app.get(AuditTrail);
      await locker.query('begin');
      await locker.query('lock table audit_events in access exclusive mode');
      for (let i = 0; i < 5; i++) expect((await chat()).status).toBe(200);
      for (let i = 0; i < 100 && (trail.stats()?.queueDepth ?? 0) < 5; i++) await sleep(10);

      const refused = [];
      for (let i = 0; i < 3; i++) {
        const res = await chat();
        refused.push({ status: res.status, body: (await res.json()) as any });
      }
      for (const r of refused) {
        expect(r.status).toBe(503);
        expect(r.body.error).toMatchObject({ type: 'gateway_error', code: 'audit_unavailable' });
      }
      const ready = await fetch(`${gw.url}/health/ready`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as any).details.audit).toMatchObject({
        status: 'down',
        queue_depth: 5,
      });

      await locker.query('rollback');
      for (let i = 0; i < 300 && trail.saturated; i++) await sleep(10);
      expect((await chat()).status).toBe(200);
      await trail.flush();

      const db = openDatabase(database.url);
      try {
        const store = new KyselyAuditRepository(db);
        const overflow = await store.search({ eventType: 'AUDIT_OVERFLOW' }, 10);
        expect(overflow).toHaveLength(1);
        expect(overflow[0].payload).toMatchObject({ refused_calls: 3, max_queue: 5 });
        const responses = await store.search({ eventType: 'GATEWAY_RESPONSE' }, 100);
        expect(responses.map((r) => r.payload.status)).toEqual([200, 200, 200, 200, 200, 200]);
        const report = await verifyAuditChain(storedEntries(store), { secret: SECRET });
        expect(report).toMatchObject({ valid: true, checked: 7 });
      } finally {
        await db.destroy();
      }
    }, 30_000);
  });
});
