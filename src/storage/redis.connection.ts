import { createRequire } from 'node:module';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type * as IoRedis from 'ioredis';
import type { Redis } from 'ioredis';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config.types.js';
import { withDeadline } from './deadline.js';
import { RedisStepRunner } from './redis-step.runner.js';
import { asError } from '../common/errors/as-error.js';

const CONNECT_TIMEOUT_MS = 5_000;
/** Commands issued while Redis is away fail after this many reconnection attempts, not 20. */
const MAX_RETRIES_PER_REQUEST = 3;

/**
 * ioredis (about 90 modules), required only when Redis is configured: a gateway without it never
 * loads the client.
 */
function loadIoRedis(): typeof IoRedis {
  return createRequire(import.meta.url)('ioredis') as typeof IoRedis;
}

/**
 * The shared Redis client when `GATEWAY_REDIS_URL` is set (`client` is undefined otherwise: the
 * gateway then keeps its counters and caches in process). Connected at start-up, which fails with
 * a message naming GATEWAY_REDIS_URL when Redis does not answer; quit at shutdown.
 *
 * Keys are prefixed with `gateway.redis.key-prefix` by the client itself (also inside Lua
 * scripts' KEYS); pub/sub channel names are not, so use {@link keyPrefix} for them.
 */
@Injectable()
export class RedisConnection implements OnModuleInit, OnApplicationShutdown {
  readonly client: Redis | undefined;
  /** The counters' round trips on {@link client} (rate limits, budgets); undefined without Redis. */
  readonly runner: RedisStepRunner | undefined;
  readonly keyPrefix: string;
  private readonly logger = new Logger('Redis');
  private readonly subscribers: Redis[] = [];
  private readonly address: string;
  private connected = false;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    this.keyPrefix = config.redis.keyPrefix;
    const url = config.redis.url.trim();
    this.address = url === '' ? '' : describeRedisUrl(url);
    if (url === '') return;
    this.client = new (loadIoRedis().Redis)(url, {
      lazyConnect: true,
      keyPrefix: this.keyPrefix,
      connectTimeout: CONNECT_TIMEOUT_MS,
      maxRetriesPerRequest: MAX_RETRIES_PER_REQUEST,
      // Before the first successful connection, a failure is final (start-up reports it);
      // afterwards, reconnect with a capped back-off for as long as it takes.
      retryStrategy: (attempt) => (this.connected ? Math.min(attempt * 100, 2_000) : null),
    });
    this.runner = new RedisStepRunner(this.client);
    this.client.once('ready', () => {
      this.connected = true;
    });
    this.reportErrors(this.client);
  }

  /** Redis' address without credentials, e.g. `redis://cache:6379/0`; '' when not configured. */
  get description(): string {
    return this.address;
  }

  async onModuleInit(): Promise<void> {
    const client = this.client;
    if (client === undefined) return;
    let lastError: Error | undefined;
    const remember = (err: Error) => {
      lastError = err;
    };
    client.on('error', remember);
    try {
      await withDeadline(client.connect(), CONNECT_TIMEOUT_MS + 1_000, 'no answer in time');
    } catch (err) {
      stop(client);
      const reason = (lastError ?? asError(err)).message;
      throw new Error(
        `Redis at ${this.address} (GATEWAY_REDIS_URL) is not reachable: ${reason}. Start it, or unset GATEWAY_REDIS_URL to keep state in process.`,
        { cause: err },
      );
    } finally {
      client.off('error', remember);
    }
    this.logger.log(`Connected to Redis at ${this.address}`);
  }

  /**
   * A second connection for SUBSCRIBE (a subscribed connection can run nothing else), closed with
   * this one at shutdown. Undefined when Redis is not configured.
   */
  createSubscriber(): Redis | undefined {
    if (this.client === undefined) return undefined;
    const subscriber = this.client.duplicate();
    this.reportErrors(subscriber);
    this.subscribers.push(subscriber);
    return subscriber;
  }

  async onApplicationShutdown(): Promise<void> {
    // Settlements still queued go out before the connection closes.
    if (this.client?.status === 'ready') await this.runner?.flush();
    const clients = [...this.subscribers, ...(this.client ? [this.client] : [])];
    await Promise.all(clients.map((client) => quit(client)));
  }

  /** Logs connection trouble once per outage instead of once per reconnection attempt. */
  private reportErrors(client: Redis): void {
    let reported: string | undefined;
    client.on('error', (err: Error) => {
      if (err.message === reported) return;
      reported = err.message;
      this.logger.warn(`Redis at ${this.address}: ${err.message}`);
    });
    client.on('ready', () => {
      reported = undefined;
    });
  }
}

/** QUIT when connected (pending replies first) and wait for the socket to close; else drop it. */
async function quit(client: Redis): Promise<void> {
  if (client.status !== 'ready') {
    stop(client);
    return;
  }
  const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
  try {
    await withDeadline(client.quit(), CONNECT_TIMEOUT_MS, 'QUIT got no answer');
    await withDeadline(ended, CONNECT_TIMEOUT_MS, 'the connection did not close');
  } catch {
    stop(client);
  }
}

/**
 * Drops the connection and any reconnection. Skipped once ended: ioredis would otherwise wait
 * (with a 2-second timer holding the process) for a socket that has already closed.
 */
function stop(client: Redis): void {
  if (client.status !== 'end') client.disconnect();
}

/** The URL with any user name and password removed, for messages and logs. */
function describeRedisUrl(url: string): string {
  if (!URL.canParse(url))
    throw new Error('GATEWAY_REDIS_URL is not a valid URL (redis://host:6379/0).');
  const parsed = new URL(url);
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new Error(
      `GATEWAY_REDIS_URL must be a redis:// or rediss:// URL, not a '${parsed.protocol}' one.`,
    );
  }
  return `${parsed.protocol}//${parsed.hostname || 'localhost'}:${parsed.port || '6379'}${parsed.pathname.replace(/^\/$/, '')}`;
}
