// What a governed call costs its Redis (rate limits per tenant on requests and tokens, a month
// budget), read from the server's own counters: Redis commands per call (scripts and what they
// ran), and Redis CPU µs per call (INFO commandstats). Counts are exact whatever the machine's
// load; the µs are not. Round trips are not visible server-side: test/e2e/redis-round-trips
// asserts them (one on the way in).
//
//   node bench/redis-cost.mjs [dist/main.js] [--calls 500]      (build first: npx nest build)
//
// Starts its own redis-server (on PATH) and the gateway on free loopback ports, sends sequential
// calls to the mock provider, and prints one JSON line.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort } from './processes.mjs';

const args = process.argv.slice(2);
const callsAt = args.indexOf('--calls');
const calls = callsAt >= 0 ? Number(args[callsAt + 1]) : 500;
const entry = resolve(
  args.find((a, i) => !a.startsWith('--') && (callsAt < 0 || i !== callsAt + 1)) ?? 'dist/main.js',
);

const CONFIG = `
gateway:
  rate-limits:
    per-tenant: { requests-per-minute: 1000000, tokens-per-minute: 1000000000 }
  providers:
    mock: { latency-ms: 0 }
  pricing:
    - { provider: mock, model: "*", input: 1, output: 1 }
  budgets:
    - { id: bench-month, tenant: default, period: month, limit-usd: 1000000 }
`;
const BODY = JSON.stringify({
  model: 'mock/echo',
  max_tokens: 20,
  messages: [{ role: 'user', content: 'hello' }],
});

const dir = mkdtempSync(join(tmpdir(), 'bench-redis-cost-'));
const [redisPort, gatewayPort] = [await freePort(), await freePort()];
const children = [];
try {
  writeFileSync(join(dir, 'governed.yml'), CONFIG);
  children.push(
    spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', ''], {
      stdio: 'ignore',
    }),
  );
  let probe;
  for (let i = 0; probe === undefined; i++) {
    if (i > 50) throw new Error('redis-server did not start');
    await sleep(100);
    const client = new Redis(`redis://127.0.0.1:${redisPort}`, {
      lazyConnect: true,
      retryStrategy: () => null,
    });
    client.on('error', () => undefined);
    if (
      await client.connect().then(
        () => true,
        () => false,
      )
    )
      probe = client;
  }
  children.push(
    spawn(process.execPath, [entry], {
      stdio: 'ignore',
      env: {
        PATH: process.env.PATH,
        GATEWAY_PROFILE: 'dev',
        LOG_LEVEL: 'silent',
        PORT: String(gatewayPort),
        HOST: '127.0.0.1',
        MOCK_PROVIDER_ENABLED: 'true',
        GATEWAY_DATABASE_URL: `sqlite:${join(dir, 'gateway.db')}`,
        GATEWAY_REDIS_URL: `redis://127.0.0.1:${redisPort}/0`,
        GATEWAY_CONFIG_ADDITIONAL_LOCATION: join(dir, 'governed.yml'),
      },
    }),
  );
  const url = `http://127.0.0.1:${gatewayPort}`;
  for (
    let i = 0;
    !(await fetch(`${url}/health/ready`).then(
      (r) => r.ok,
      () => false,
    ));
    i++
  ) {
    if (i > 300) throw new Error('the gateway did not become ready');
    await sleep(100);
  }
  const call = async () => {
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: BODY,
    });
    await response.text();
    if (response.status !== 200) throw new Error(`the gateway answered ${response.status}`);
  };
  const stats = async () => {
    const out = new Map();
    for (const m of (await probe.info('commandstats')).matchAll(
      /cmdstat_(\w+):calls=(\d+),usec=(\d+)/g,
    )) {
      out.set(m[1], { calls: Number(m[2]), usec: Number(m[3]) });
    }
    return out;
  };
  // Warm: scripts loaded, budget counter rebuilt.
  for (let i = 0; i < 50; i++) await call();
  await sleep(200);
  const before = await stats();
  for (let i = 0; i < calls; i++) await call();
  // Settlement leaves after the answer: let the last one land.
  await sleep(300);
  const after = await stats();
  const perCall = {};
  let usec = 0;
  for (const [name, { calls: n, usec: u }] of after) {
    if (name === 'info') continue;
    const delta = n - (before.get(name)?.calls ?? 0);
    if (delta === 0) continue;
    perCall[name] = Math.round((delta / calls) * 100) / 100;
    usec += u - (before.get(name)?.usec ?? 0);
  }
  console.log(
    JSON.stringify({
      entry,
      calls,
      commandsPerCall: perCall,
      redisUsecPerCall: Math.round((usec / calls) * 10) / 10,
    }),
  );
  probe.disconnect();
} finally {
  for (const child of children.reverse()) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
