import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GatewayProcess, spawnGateway } from '../../helpers/gateway-process.js';
import {
  auditedResponseWriters,
  listeningWorkers,
  until,
  workerPids,
} from '../../helpers/cluster-gateway.js';

const SECRET = 'cluster-metrics-secret-0123456789abcdefghijk';
const TOKEN = 'cluster-metrics-scrape-token';
const hello = { model: 'mock/echo', messages: [{ role: 'user', content: 'hi' }] };

/** A scrape on a new connection, so node:cluster may hand it to any worker. */
async function scrape(gateway: GatewayProcess, token?: string): Promise<Response> {
  const headers: Record<string, string> = { connection: 'close' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return fetch(`${gateway.url}/metrics`, { headers });
}

/** The sum of every series of `name` whose labels include all of `labels`. */
function total(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-z_:]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const series = match[2] ?? '';
    if (Object.entries(labels).every(([key, value]) => series.includes(`${key}="${value}"`))) {
      sum += Number(match[3]);
    }
  }
  return sum;
}

describe('GET /metrics in cluster mode', () => {
  let dir: string;
  let url: string;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-cluster-metrics-'));
    url = `file:${join(dir, 'gateway.db')}`;
    gateway = await spawnGateway({
      GATEWAY_WORKERS: '2',
      GATEWAY_DATABASE_URL: url,
      GATEWAY_AUDIT_HMAC_SECRET: SECRET,
      GATEWAY_METRICS_TOKEN: TOKEN,
      GATEWAY_SHUTDOWN_GRACE_MS: '3000',
    });
    await until('both workers listening', gateway, () => listeningWorkers(gateway) >= 2);
  }, 60_000);
  afterAll(async () => {
    await gateway?.stop(20_000);
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts calls answered by every worker in one scrape, whichever worker takes it', async () => {
    const calls = 40;
    const ids: string[] = [];
    let sent = 0;
    const one = async () => {
      while (sent < calls) {
        sent++;
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
    await Promise.all(Array.from({ length: 4 }, one));
    expect(ids).toHaveLength(calls);

    // Both workers answered some of them (each writes its own audit chain).
    let writers = new Map<string, string>();
    await until('the calls audited', gateway, async () => {
      writers = await auditedResponseWriters(url);
      return ids.every((id) => writers.has(id));
    });
    expect(new Set(ids.map((id) => writers.get(id))).size).toBe(2);

    // Every scrape, on whichever worker it lands, reports the whole group.
    for (let i = 0; i < 6; i++) {
      const res = await scrape(gateway, TOKEN);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await res.text();
      expect(total(text, 'gateway_requests_total', { status: '200' })).toBe(calls);
      expect(total(text, 'gateway_request_duration_seconds_count')).toBe(calls);
      expect(total(text, 'gateway_request_duration_seconds_bucket', { le: '+Inf' })).toBe(calls);
      // Gauges merged as declared: one series each, not one per worker.
      expect(text.match(/^gateway_audit_queue_depth /gm)).toHaveLength(1);
      expect(text.match(/^nodejs_version_info\{/gm)).toHaveLength(1);
    }
  }, 120_000);

  it('still asks for the bearer token', async () => {
    const missing = await scrape(gateway);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: { code: 'metrics_token_required' } });
    const wrong = await scrape(gateway, 'not-the-token');
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: { code: 'invalid_metrics_token' } });
  });

  it('fails the scrape with 503 metrics_unavailable while a worker cannot report, then recovers', async () => {
    const [, second] = workerPids(gateway);
    expect(second).toBeDefined();
    // A frozen worker: it neither answers the primary nor the connections handed to it.
    process.kill(second ?? 0, 'SIGSTOP');
    try {
      let answered: Response | undefined;
      for (let i = 0; i < 4 && answered === undefined; i++) {
        answered = await fetch(`${gateway.url}/metrics`, {
          headers: { connection: 'close', authorization: `Bearer ${TOKEN}` },
          signal: AbortSignal.timeout(10_000),
        }).catch(() => undefined);
      }
      expect(answered?.status).toBe(503);
      const body = (await answered?.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('metrics_unavailable');
      expect(body.error.message).toMatch(/1 of 2 workers did not report their metrics/);
    } finally {
      process.kill(second ?? 0, 'SIGCONT');
    }
    await until('scrapes answered again', gateway, async () => {
      const res = await scrape(gateway, TOKEN);
      await res.arrayBuffer();
      return res.status === 200;
    });
  }, 120_000);

  it('keeps answering while a killed worker is replaced', async () => {
    const [first] = workerPids(gateway);
    expect(first).toBeDefined();
    const before = listeningWorkers(gateway);
    process.kill(first ?? 0, 'SIGKILL');
    await until('the death noticed', gateway, () =>
      gateway.output.some((line) => line.includes('died unexpectedly')),
    );
    // While the replacement boots (it cannot report yet), scrapes are answered by the others.
    const statuses: number[] = [];
    await until('a replacement listening', gateway, async () => {
      const res = await scrape(gateway, TOKEN);
      await res.arrayBuffer();
      statuses.push(res.status);
      return listeningWorkers(gateway) > before;
    });
    const after = await scrape(gateway, TOKEN);
    statuses.push(after.status);
    expect(await after.text()).toContain('gateway_requests_total');
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
  }, 120_000);
});

describe('GET /metrics in cluster mode, metrics off', () => {
  it('is 404 on every worker', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-cluster-metrics-off-'));
    const gateway = await spawnGateway({
      GATEWAY_WORKERS: '2',
      GATEWAY_DATABASE_URL: `file:${join(dir, 'gateway.db')}`,
      GATEWAY_AUDIT_HMAC_SECRET: SECRET,
      GATEWAY_METRICS_ENABLED: 'false',
    });
    try {
      await until('both workers listening', gateway, () => listeningWorkers(gateway) >= 2);
      for (let i = 0; i < 4; i++) {
        const res = await scrape(gateway);
        expect(res.status).toBe(404);
        await res.arrayBuffer();
      }
    } finally {
      await gateway.stop(20_000);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
