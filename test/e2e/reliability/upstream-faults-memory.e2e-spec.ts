import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FAKE_OPENAI_API_KEY, FakeOpenAiServer } from '../../fakes/fake-openai.server.js';
import { type Fault, FaultProxy } from '../../fakes/fault-proxy.js';
import { type GatewayProcess, spawnGateway } from '../../helpers/gateway-process.js';

/*
 * Issue 18: 10,000 calls whose upstream breaks in the quick ways (resets, garbage, HTML, 503s),
 * against a real gateway process: every one answered as documented, the process's RSS flat from
 * the first thousands to the last, and no connection left carrying a request.
 */
const CALLS = Number(process.env.FAULT_CALLS ?? 10_000);
const CONCURRENCY = 16;
const QUICK_FAULTS: readonly Fault[] = [
  'pass',
  'reset-before-headers',
  'reset-after-headers',
  'reset-mid-body',
  'malformed-body',
  'wrong-content-type',
  'status-503',
];

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  return Math.round(kb / 1024);
}

describe('10,000 broken upstream calls against one gateway process', () => {
  const openai = new FakeOpenAiServer({ recordRequests: false });
  const proxy = new FaultProxy(() => openai.baseUrl);
  const dir = mkdtempSync(join(tmpdir(), 'gateway-faults-'));
  let gw: GatewayProcess;

  beforeAll(async () => {
    await openai.start();
    await proxy.start();
    const extra = join(dir, 'extra.yml');
    writeFileSync(
      extra,
      [
        'gateway:',
        '  resilience:',
        '    retry: { max-attempts: 1 }',
        '    circuit-breaker: { enabled: false }',
      ].join('\n'),
    );
    gw = await spawnGateway({
      OPENAI_API_KEY: FAKE_OPENAI_API_KEY,
      OPENAI_BASE_URL: proxy.url(new URL(openai.baseUrl).pathname.replace(/\/$/, '')),
      GATEWAY_CONFIG_ADDITIONAL_LOCATION: extra,
      GATEWAY_DATABASE_URL: `file:${join(dir, 'gateway.db')}`,
    });
  }, 60_000);

  afterAll(async () => {
    await gw?.stop();
    await proxy.close();
    await openai.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers each as documented, keeps RSS flat and leaves no request open', async () => {
    const pid = gw.child.pid;
    if (pid === undefined) throw new Error('no gateway pid');
    const seen = new Map<string, number>();
    const rss: number[] = [];
    let next = 0;
    const one = async (i: number) => {
      const fault = QUICK_FAULTS[i % QUICK_FAULTS.length];
      const stream = Math.floor(i / QUICK_FAULTS.length) % 2 === 1;
      proxy.next(fault);
      const res = await fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'gpt-4o',
          stream,
          messages: [{ role: 'user', content: 'Hello' }],
        }),
      });
      const text = await res.text();
      const outcome =
        res.status !== 200
          ? `${res.status} ${(JSON.parse(text) as { error: { code: string } }).error.code}`
          : stream && !text.includes('[DONE]')
            ? `200 stream ${text.includes('"code":"provider_error"') ? 'provider_error' : 'unended'}`
            : '200';
      seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
    };
    const worker = async () => {
      while (next < CALLS) {
        const i = next++;
        await one(i);
        if (i > 0 && i % 2_000 === 0) rss.push(rssMb(pid));
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    rss.push(rssMb(pid));
    await proxy.settled();

    // Every call is an answer or a documented provider error; nothing else, nothing lost.
    const outcomes = Object.fromEntries(seen);
    expect(Object.keys(outcomes).sort()).toEqual(
      ['200', '200 stream provider_error', '502 provider_error'].sort(),
    );
    expect([...seen.values()].reduce((a, b) => a + b, 0)).toBe(CALLS);
    // Flat: what the process holds after the last call is what it held after the first 2,000.
    const [warm, ...later] = rss;
    expect(Math.max(...later) - warm).toBeLessThan(40);
    // The keep-alive pool holds at most its connections; none carries a request.
    expect(proxy.busySockets).toBe(0);
    expect(proxy.openSockets).toBeLessThanOrEqual(CONCURRENCY);
    expect((await fetch(`${gw.url}/health/ready`)).status).toBe(200);
  }, 240_000);
});
