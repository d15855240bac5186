import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { FAKE_OPENAI_API_KEY, FakeOpenAiServer } from '../fakes/fake-openai.server.js';
import { type GatewayProcess, spawnGateway } from '../helpers/gateway-process.js';
import { TEST_REDIS_URL } from '../helpers/storage-harness.js';

const HALF_OPEN_AFTER_MS = 15_000;
const PROPAGATION_LIMIT_MS = 5_000;

/**
 * Contract 13: replicas sharing one Redis agree that a provider is down. Real gateway processes,
 * one fake OpenAI upstream that fails; the breaker opened through replica A holds on replica B
 * (and on a replica started afterwards) without either calling the upstream, and lets calls
 * through again once it half-opens.
 */
describe('circuit breakers shared by replicas through Redis', () => {
  const openai = new FakeOpenAiServer();
  let dir: string;
  let prefix: string;
  let env: Record<string, string>;
  const replicas: GatewayProcess[] = [];

  const chat = async (gw: GatewayProcess) => {
    const response = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hello' }] }),
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  /** Resolves once the replica has logged `pattern`, or fails naming what it logged. */
  const logged = async (gw: GatewayProcess, pattern: RegExp, limitMs = PROPAGATION_LIMIT_MS) => {
    const deadline = Date.now() + limitMs;
    while (!gw.output.some((line) => pattern.test(line))) {
      if (Date.now() > deadline) {
        throw new Error(`no log line matching ${pattern}:\n${gw.output.join('\n')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };

  beforeAll(async () => {
    const probe = new Redis(TEST_REDIS_URL, { lazyConnect: true, retryStrategy: () => null });
    try {
      await probe.connect();
    } catch {
      throw new Error(`Redis at ${TEST_REDIS_URL} is not reachable: start it (services.md)`);
    } finally {
      probe.disconnect();
    }
    await openai.start();
    dir = mkdtempSync(join(tmpdir(), 'gw-breaker-'));
    prefix = `gw-test-breaker-${randomBytes(4).toString('hex')}:`;
    const layer = join(dir, 'extra.yml');
    writeFileSync(
      layer,
      [
        'gateway:',
        `  redis: { key-prefix: '${prefix}' }`,
        '  resilience:',
        '    retry: { max-attempts: 1 }',
        '    circuit-breaker:',
        '      enabled: true',
        '      failure-rate-threshold: 0.5',
        '      minimum-calls: 2',
        '      sliding-window-size: 4',
        `      half-open-after-ms: ${HALF_OPEN_AFTER_MS}`,
      ].join('\n'),
    );
    env = {
      GATEWAY_DATABASE_URL: 'sqlite::memory:',
      GATEWAY_REDIS_URL: TEST_REDIS_URL,
      GATEWAY_CONFIG_ADDITIONAL_LOCATION: layer,
      OPENAI_API_KEY: FAKE_OPENAI_API_KEY,
      OPENAI_BASE_URL: openai.baseUrl,
    };
    replicas.push(await spawnGateway(env), await spawnGateway(env));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await openai.close();
    const cleanup = new Redis(TEST_REDIS_URL, { lazyConnect: true, retryStrategy: () => null });
    await cleanup.connect().then(
      () => cleanup.del(`${prefix}breaker:openai`),
      () => undefined,
    );
    cleanup.disconnect();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('opens on replica B, without an upstream call, once replica A opened it', async () => {
    const [a, b] = replicas;
    openai.failNext(500, { times: 2 });
    expect((await chat(a)).status).toBe(502);
    expect((await chat(a)).status).toBe(502);
    const refusedOnA = await chat(a);
    expect(refusedOnA.status).toBe(503);
    expect(openai.requests).toHaveLength(2);

    await logged(b, /circuit breaker of provider 'openai' is open \(as another replica found\)/);
    const refusedOnB = await chat(b);
    expect(refusedOnB.status).toBe(503);
    expect(refusedOnB.body.error.code).toBe('provider_circuit_open');
    expect(refusedOnB.body.error.message).toContain("'openai'");
    // B never tried the provider: the upstream saw A's two failed calls only.
    expect(openai.requests).toHaveLength(2);
    // B's metrics say so too (2: open).
    const metrics = await (await fetch(`${b.url}/metrics`)).text();
    expect(metrics).toMatch(/^gateway_circuit_state\{provider="openai"\} 2$/m);

    // A replica that starts while the breaker is open finds it open too.
    const late = await spawnGateway(env);
    replicas.push(late);
    expect((await chat(late)).status).toBe(503);
    expect(openai.requests).toHaveLength(2);
  }, 60_000);

  it('lets calls through on every replica once the breaker half-opens', async () => {
    const [a, b, late] = replicas;
    const closed = /circuit breaker of provider 'openai' is closed \(as another replica found\)/;
    await logged(b, closed, HALF_OPEN_AFTER_MS + PROPAGATION_LIMIT_MS);
    await logged(late, closed, HALF_OPEN_AFTER_MS + PROPAGATION_LIMIT_MS);
    expect((await chat(b)).status).toBe(200);
    expect((await chat(late)).status).toBe(200);
    expect((await chat(a)).status).toBe(200);
  }, 45_000);
});
