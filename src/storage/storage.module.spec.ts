import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Test, type TestingModule } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import {
  createTestDatabase,
  openDatabase,
  TEST_REDIS_URL as REDIS_URL,
  type TestDatabase,
} from '../../test/helpers/storage-harness.js';
import { loadGatewayConfig } from '../config/config.loader.js';
import { GatewayConfigModule } from '../config/gateway-config.module.js';
import { ApiKeyRepository } from './api-key.repository.js';
import { CredentialCipher } from './credential.cipher.js';
import { DATABASE, type GatewayDatabase } from './database.types.js';
import { PolicyRepository } from './policy.repository.js';
import { RedisConnection } from './redis.connection.js';
import { StorageHealth } from './storage.health.js';
import { StorageModule } from './storage.module.js';
import { TenantRepository } from './tenant.repository.js';

async function boot(env: Record<string, string>): Promise<TestingModule> {
  const config = loadGatewayConfig({ env: { LOG_LEVEL: 'silent', ...env } });
  const moduleRef = await Test.createTestingModule({
    imports: [GatewayConfigModule.forRoot(config), StorageModule],
  })
    .setLogger({ log() {}, error() {}, warn() {} })
    .compile();
  try {
    await moduleRef.init();
  } catch (err) {
    await moduleRef.close().catch(() => undefined);
    throw err;
  }
  return moduleRef;
}

async function bootFailure(env: Record<string, string>): Promise<string> {
  try {
    const moduleRef = await boot(env);
    await moduleRef.close();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected start-up to fail');
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe(StorageModule.name, () => {
  const encryptionKey = randomBytes(32).toString('hex');

  describe.each(['sqlite', 'postgres'] as const)('on %s', (kind) => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await createTestDatabase(kind);
    });
    afterAll(() => database?.drop());

    it('migrates at start-up, serves the repositories, and closes the database at shutdown', async () => {
      const moduleRef = await boot({
        GATEWAY_DATABASE_URL: database.url,
        GATEWAY_ENCRYPTION_KEY: encryptionKey,
      });
      const tenants = moduleRef.get(TenantRepository);
      const keys = moduleRef.get(ApiKeyRepository);
      await tenants.create({ id: 'boot', name: 'Boot', credentials: { mock: { token: 'x' } } });
      await keys.insert({
        id: 'boot-key',
        tenantId: 'boot',
        name: 'k',
        hash: 'ab'.repeat(32),
        displayPrefix: 'gw_abab',
        scopes: ['models:read'],
        expiresAt: null,
      });
      expect(await tenants.credentialsFor('boot', 'mock')).toEqual({ token: 'x' });
      expect(await moduleRef.get(PolicyRepository).version()).toBe(0);
      expect(moduleRef.get(CredentialCipher).configured).toBe(true);
      expect(moduleRef.get(RedisConnection).client).toBeUndefined();
      await expect(moduleRef.get(StorageHealth).ping()).resolves.toBeUndefined();

      const db = moduleRef.get<GatewayDatabase>(DATABASE);
      await moduleRef.close();
      await expect(sql`select 1`.execute(db)).rejects.toThrow();
      await expect(moduleRef.get(StorageHealth).pingDatabase()).rejects.toThrow(
        kind === 'sqlite' ? /^SQLite at .* is not answering/ : /^PostgreSQL at .* is not answering/,
      );

      // A second start on the same database finds the schema current and the data kept.
      const again = await boot({ GATEWAY_DATABASE_URL: database.url });
      expect((await again.get(ApiKeyRepository).findByHash('ab'.repeat(32)))?.id).toBe('boot-key');
      await again.close();
    }, 20_000);
  });

  it('reads the SQLite file it was given, creating its folder', async () => {
    const database = await createTestDatabase('sqlite');
    try {
      const url = database.url.replace(/gateway\.db$/, 'sub/dir/gateway.db');
      const moduleRef = await boot({ GATEWAY_DATABASE_URL: url });
      await moduleRef.get(TenantRepository).create({ id: 'file', name: 'File' });
      await moduleRef.close();
      const db = openDatabase(url);
      expect(await db.selectFrom('tenants').select('id').execute()).toEqual([{ id: 'file' }]);
      await db.destroy();
    } finally {
      await database.drop();
    }
  });

  it('stops start-up on a malformed GATEWAY_ENCRYPTION_KEY without printing it', async () => {
    const message = await bootFailure({
      GATEWAY_DATABASE_URL: ':memory:',
      GATEWAY_ENCRYPTION_KEY: 'not-a-key-hunter2',
    });
    expect(message).toContain('GATEWAY_ENCRYPTION_KEY');
    expect(message).not.toContain('hunter2');
  });

  it('stops start-up when PostgreSQL does not answer, naming it without the password', async () => {
    const port = await closedPort();
    const message = await bootFailure({
      GATEWAY_DATABASE_URL: `postgres://gw:hunter2@127.0.0.1:${port}/gateway`,
    });
    expect(message).toContain(`Storage is not reachable: PostgreSQL at 127.0.0.1:${port}/gateway`);
    expect(message).toContain('GATEWAY_DATABASE_URL');
    expect(message).not.toContain('hunter2');
  }, 15_000);

  describe('with Redis', () => {
    it('connects at start-up, prefixes keys, answers health, and quits at shutdown', async () => {
      const prefix = `gw-test-${randomBytes(4).toString('hex')}:`;
      const moduleRef = await boot({
        GATEWAY_DATABASE_URL: ':memory:',
        GATEWAY_REDIS_URL: REDIS_URL,
      });
      const redis = moduleRef.get(RedisConnection);
      const raw = new Redis(REDIS_URL);
      try {
        expect(redis.client?.status).toBe('ready');
        expect(redis.keyPrefix).toBe('gateway:');
        await redis.client!.set(`${prefix}probe`, '1', 'EX', 60);
        expect(await raw.get(`gateway:${prefix}probe`)).toBe('1');
        await raw.del(`gateway:${prefix}probe`);
        const subscriber = redis.createSubscriber()!;
        await subscriber.subscribe(`${prefix}channel`);
        await expect(moduleRef.get(StorageHealth).ping()).resolves.toBeUndefined();
        await moduleRef.close();
        expect(redis.client!.status).toBe('end');
        expect(subscriber.status).toBe('end');
      } finally {
        raw.disconnect();
      }
    });

    it('stops start-up when Redis does not answer, naming GATEWAY_REDIS_URL without the password', async () => {
      const port = await closedPort();
      const message = await bootFailure({
        GATEWAY_DATABASE_URL: ':memory:',
        GATEWAY_REDIS_URL: `redis://:hunter2@127.0.0.1:${port}/0`,
      });
      expect(message).toContain(
        `Redis at redis://127.0.0.1:${port}/0 (GATEWAY_REDIS_URL) is not reachable`,
      );
      expect(message).not.toContain('hunter2');
    }, 15_000);

    it('refuses a URL that is not redis://', async () => {
      const message = await bootFailure({
        GATEWAY_DATABASE_URL: ':memory:',
        GATEWAY_REDIS_URL: 'http://user:hunter2@cache:6379',
      });
      expect(message).toContain('GATEWAY_REDIS_URL must be a redis:// or rediss:// URL');
      expect(message).not.toContain('hunter2');
    });
  });
});
