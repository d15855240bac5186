import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { call, TOKEN } from '../helpers/admin-client.js';
import { type GatewayUnderTest, postJson, startGateway } from '../helpers/gateway-harness.js';
import { freePort, ThrowawayRedis } from '../helpers/throwaway-redis.js';

/** One command as Redis' MONITOR reports it. */
interface Seen {
  readonly source: string;
  readonly args: readonly string[];
}

/**
 * Contract 11.3, 11.4 and issue 13: with Redis, a governed call's rate limits (requests and
 * tokens, key and tenant) and its budget reservation cost one command, one round trip, on the way
 * in; settlement goes out after the answer, without the call waiting for it. Counted with MONITOR
 * on a Redis of the suite's own, so the gateway is the only other client.
 */
describe('Redis round trips of a governed call', () => {
  let redis: ThrowawayRedis;
  let gw: GatewayUnderTest;
  let monitor: Redis;
  let stream: Redis;
  let probe: Redis;
  let key: string;
  let keyId: string;
  let probeName: string;
  const seen: Seen[] = [];
  let marks = 0;

  // Output is priced at 0.001 USD per token: a call reserves 0.01 USD (max_tokens 10).
  const hello = { model: 'mock/echo', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] };
  const chat = () =>
    postJson(`${gw.url}/v1/chat/completions`, hello, { authorization: `Bearer ${key}` });

  /** A marker in the MONITOR stream, seen before this resolves. */
  async function mark(): Promise<number> {
    const id = ++marks;
    await probe.echo(`mark-${id}`);
    for (let i = 0; i < 200; i++) {
      const at = seen.findIndex((c) => c.args[0] === 'echo' && c.args[1] === `mark-${id}`);
      if (at >= 0) return at;
      await sleep(10);
    }
    throw new Error(`marker ${id} never reached MONITOR`);
  }

  /** The gateway's commands between two markers (the probe's own left out). */
  const between = (from: number, to: number) =>
    seen.slice(from + 1, to).filter((c) => c.source !== probeName && c.source !== 'lua');
  /** What scripts did between two markers: the keys they wrote with `command`. */
  const written = (from: number, to: number, command: string) =>
    seen
      .slice(from + 1, to)
      .filter((c) => c.source === 'lua' && c.args[0] === command)
      .map((c) => c.args[1].replace(/^gateway:/, ''));

  /** Waits until `count` gateway commands follow the marker at `from` (settlement is deferred). */
  async function settled(from: number, count: number): Promise<void> {
    for (let i = 0; i < 200; i++) {
      if (between(from, seen.length).length >= count) return;
      await sleep(10);
    }
  }

  /** Waits until Redis has seen nothing for a while (the last call's settlement has landed). */
  async function quiet(): Promise<void> {
    let count = -1;
    for (let i = 0; i < 100 && count !== seen.length; i++) {
      count = seen.length;
      await sleep(150);
    }
  }

  const keysOf = (command: Seen) => {
    // EVALSHA sha numkeys key...: the keys a script touched, prefix removed.
    const count = Number(command.args[2]);
    return command.args.slice(3, 3 + count).map((k) => k.replace(/^gateway:/, ''));
  };

  beforeAll(async () => {
    redis = new ThrowawayRedis(await freePort());
    await redis.start();
    gw = await startGateway({
      env: { GATEWAY_ADMIN_TOKEN: TOKEN, GATEWAY_REDIS_URL: redis.url },
      yaml: `
gateway:
  auth: { required: true }
  rate-limits:
    per-tenant: { requests-per-minute: 1000, tokens-per-minute: 1000000 }
  providers:
    mock: { latency-ms: 0, stream-token-delay-ms: 0, response: "one two three" }
  pricing:
    - { provider: mock, model: "*", input: 0, output: 1000 }
`,
    });
    expect(
      (await call(gw, 'POST', '/v1/admin/tenants', { body: { id: 'rt', name: 'RT' } })).status,
    ).toBe(201);
    const issued = await call(gw, 'POST', '/v1/admin/tenants/rt/keys', {
      body: { rate_limits: { requests_per_minute: 100, tokens_per_minute: 100_000 } },
    });
    key = issued.body.key;
    keyId = issued.body.id;
    expect(
      (
        await call(gw, 'POST', '/v1/admin/budgets', {
          body: { id: 'rt-day', tenant: 'rt', period: 'day', limit_usd: 0.02 },
        })
      ).status,
    ).toBe(201);

    probe = new Redis(redis.url);
    probeName = /addr=(\S+)/.exec(String(await probe.client('INFO')))?.[1] ?? '';
    monitor = new Redis(redis.url);
    stream = await monitor.monitor();
    stream.on('monitor', (_time: string, args: string[], source: string) => {
      seen.push({ source, args: [args[0].toLowerCase(), ...args.slice(1)] });
    });
    // Warm up: the first call loads the scripts and rebuilds the budget counter.
    expect((await chat()).status).toBe(200);
    await quiet();
  }, 30_000);

  afterAll(async () => {
    stream?.disconnect();
    monitor?.disconnect();
    probe?.disconnect();
    await gw?.close();
    await redis?.stop();
  });

  it('admits with one command carrying every rate-limit bucket and the budget counter', async () => {
    const from = await mark();
    const answer = await chat();
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-ratelimit-remaining-requests')).toBe('98');
    expect(answer.headers.get('x-gateway-budget-remaining-usd')).not.toBeNull();
    // The admission, then the settlement of the tokens and of the budget.
    await settled(from, 3);
    const commands = between(from, await mark());
    const admission = commands.find((c) => keysOf(c).includes(`rl:key:${keyId}:requests`));
    expect(admission).toBeDefined();
    expect(keysOf(admission!)).toEqual([
      `rl:key:${keyId}:requests`,
      'rl:tenant:rt:requests',
      `rl:key:${keyId}:tokens`,
      'rl:tenant:rt:tokens',
      expect.stringMatching(/^budget:rt-day:\d{4}-\d{2}-\d{2}$/),
    ]);
    expect(commands[0]).toBe(admission);
    // Settlement: the tokens' real use and the budget's real cost, nothing read back.
    const rest = commands.slice(1);
    expect(rest.map((c) => c.args[0])).toEqual(['evalsha', 'evalsha']);
    expect(rest.flatMap(keysOf).sort()).toEqual(
      [
        `rl:key:${keyId}:tokens`,
        'rl:tenant:rt:tokens',
        expect.stringMatching(/^budget:rt-day:/),
      ].sort(),
    );
  });

  it('refuses over the budget with one command, taking no tokens', async () => {
    // 0.02 USD: the warm-up and the first test spent 0.003 each; a reservation of 0.01 fits
    // while at most 0.01 is spent: keep calling until the budget refuses.
    let refusedFrom = -1;
    for (let i = 0; i < 10 && refusedFrom < 0; i++) {
      const from = await mark();
      const answer = await chat();
      if (answer.status === 402) refusedFrom = from;
      else expect(answer.status).toBe(200);
      await quiet();
    }
    expect(refusedFrom).toBeGreaterThanOrEqual(0);
    const to = await mark();
    const commands = between(refusedFrom, to);
    expect(commands).toHaveLength(1);
    expect(keysOf(commands[0])).toContain(`rl:key:${keyId}:tokens`);
    // The request permits are kept (it was a request); no token and no money was taken.
    expect(written(refusedFrom, to, 'hset').sort()).toEqual(
      [`rl:key:${keyId}:requests`, 'rl:tenant:rt:requests'].sort(),
    );
    expect(written(refusedFrom, to, 'hincrby')).toEqual([]);
  });

  it('refuses over a rate limit with one command that never reads the budget', async () => {
    const limited = await call(gw, 'POST', '/v1/admin/tenants/rt/keys', {
      body: { rate_limits: { requests_per_minute: 1 } },
    });
    const chatAs = (body: unknown) =>
      postJson(`${gw.url}/v1/chat/completions`, body, {
        authorization: `Bearer ${limited.body.key}`,
      });
    // The budget refuses this key's calls too (exhausted above): the rate limit is decided first.
    expect((await chatAs(hello)).status).toBe(402);
    await quiet();
    const from = await mark();
    const answer = await chatAs(hello);
    expect(answer.status).toBe(429);
    expect(answer.body.error.code).toBe('rate_limit_exceeded');
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    await quiet();
    const to = await mark();
    const commands = between(from, to);
    expect(commands).toHaveLength(1);
    const reads = seen.slice(from + 1, to).filter((c) => c.source === 'lua');
    expect(reads.some((c) => c.args[1]?.includes('budget:'))).toBe(false);
    expect(written(from, to, 'hset')).toEqual([]);

    // An invalid body over the limit: 429 still wins over validation's 400 (stage 3 before 4).
    const invalid = await chatAs({ model: 'mock/echo', messages: 'not a list' });
    expect(invalid.status).toBe(429);
  });
});
