import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { SharedBreakerChange } from './breaker-state.bus.js';
import { RedisBreakerStateBus } from './redis-breaker-state.bus.js';

const REDIS_URL = 'redis://127.0.0.1:6379/0';

/** Replicas on one real Redis, under a key prefix of this suite's own. */
describe(RedisBreakerStateBus.name, () => {
  const prefix = `gateway-test:${randomUUID()}:`;
  const channel = `${prefix}breaker:changed`;
  const connections: Redis[] = [];

  async function connect(): Promise<Redis> {
    const redis = new Redis(REDIS_URL, {
      lazyConnect: true,
      keyPrefix: prefix,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
    });
    try {
      await redis.connect();
    } catch {
      throw new Error(
        'Redis at 127.0.0.1:6379 is not reachable: start it as ../shared/docs/services.md says',
      );
    }
    connections.push(redis);
    return redis;
  }
  async function replica(providers: string[] = ['openai', 'anthropic']) {
    const bus = new RedisBreakerStateBus(await connect(), await connect(), channel);
    const heard: SharedBreakerChange[] = [];
    bus.subscribe((change) => heard.push(change));
    await bus.start(providers);
    return { bus, heard };
  }
  const next = (bus: RedisBreakerStateBus) =>
    new Promise<SharedBreakerChange>((resolve) => bus.subscribe(resolve));

  afterAll(async () => {
    const [first] = connections;
    if (first !== undefined) await first.del('breaker:openai', 'breaker:anthropic');
    const open = connections.filter((c) => c.status !== 'end');
    await Promise.all(open.map((c) => c.quit()));
  });

  it('tells the other replica when a breaker opens and closes, but not the one that published', async () => {
    const a = await replica();
    const b = await replica();
    const until = Date.now() + 60_000;

    const opened = next(b.bus);
    a.bus.publish({ provider: 'openai', state: 'open', until });
    await expect(opened).resolves.toEqual({ provider: 'openai', state: 'open', until });

    const closed = next(b.bus);
    a.bus.publish({ provider: 'openai', state: 'closed' });
    await expect(closed).resolves.toEqual({ provider: 'openai', state: 'closed' });
    expect(a.heard).toEqual([]);
  });

  it('lets a replica that starts later find the breakers open now, and only those', async () => {
    const a = await replica();
    const until = Date.now() + 60_000;
    const b = await replica();
    const opened = next(b.bus);
    a.bus.publish({ provider: 'anthropic', state: 'open', until });
    await opened;

    const late = await replica();
    expect(late.heard).toEqual([{ provider: 'anthropic', state: 'open', until }]);
    const [client] = connections;
    expect(Number(await client.get('breaker:anthropic'))).toBe(until);
    expect(await client.pttl('breaker:anthropic')).toBeGreaterThan(0);

    const closed = next(b.bus);
    a.bus.publish({ provider: 'anthropic', state: 'closed' });
    await closed;
    expect(await client.exists('breaker:anthropic')).toBe(0);
    expect((await replica()).heard).toEqual([]);
  });

  it('ignores malformed messages on the channel', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const a = await replica();
    const b = await replica();
    const [client] = connections;
    await client.publish(channel, 'not json');
    await client.publish(
      channel,
      JSON.stringify({ origin: 'x', change: { provider: 'openai', state: 'open' } }),
    );
    const marker = next(b.bus);
    a.bus.publish({ provider: 'openai', state: 'closed' });
    await marker;
    expect(b.heard).toEqual([{ provider: 'openai', state: 'closed' }]);
    expect(warn).toHaveBeenCalledWith('Ignoring a malformed circuit breaker message');
    warn.mockRestore();
  });

  it('logs once, and keeps quiet, when Redis does not answer', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const client = await connect();
    const subscriber = await connect();
    const bus = new RedisBreakerStateBus(client, subscriber, channel);
    await bus.start(['openai']);
    client.disconnect();
    bus.publish({ provider: 'openai', state: 'open', until: Date.now() + 1_000 });
    bus.publish({ provider: 'openai', state: 'closed' });
    const outages = () =>
      warn.mock.calls.filter(([message]) =>
        String(message).startsWith('Circuit breaker state is not shared over Redis'),
      );
    for (let i = 0; i < 100 && outages().length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // Both publications failed by now (a closed connection refuses at once): one line for both.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(outages()).toHaveLength(1);
    warn.mockRestore();
  });
});
