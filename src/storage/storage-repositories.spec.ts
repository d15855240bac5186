import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Kysely, Migrator } from 'kysely';
import {
  createTestDatabase,
  openDatabase,
  type TestDatabase,
  type TestDatabaseKind,
} from '../../test/helpers/storage-harness.js';
import { ErrorCode } from '../common/errors/error-code.js';
import type { GatewayError } from '../common/errors/gateway-error.js';
import type { NewApiKey } from './api-key.types.js';
import { CredentialCipher } from './credential.cipher.js';
import { migrateToLatest } from './database.migrator.js';
import type { GatewayDatabase } from './database.types.js';
import { KyselyApiKeyRepository } from './kysely-api-key.repository.js';
import { KyselyPolicyRepository } from './kysely-policy.repository.js';
import { KyselyTenantRepository } from './kysely-tenant.repository.js';
import { StaticMigrationProvider } from './migrations/static-migration.provider.js';
import type { NewPolicy } from './policy.repository.js';
import { TENANT_ID_PATTERN } from './tenant-id.js';

/** The tables as migration 0001 created them, so this test keeps compiling as the schema grows. */
interface SchemaAt0001 {
  tenants: {
    id: string;
    name: string;
    status: string;
    region: string | null;
    tags: string;
    settings: string;
    credentials: string;
    created_at: number;
    updated_at: number;
  };
  api_keys: {
    id: string;
    tenant_id: string;
    name: string;
    hash: string;
    display_prefix: string;
    scopes: string;
    created_at: number;
  };
}

const SECRET = 'sk-plaintext-never-stored-0123456789';

/** Resolves to the GatewayError a call rejected with. */
async function rejection(work: Promise<unknown>): Promise<GatewayError> {
  try {
    await work;
  } catch (err) {
    return err as GatewayError;
  }
  throw new Error('expected a rejection');
}

function hashOf(label: string): string {
  return Buffer.from(label.padEnd(32, '.')).toString('hex').slice(0, 64);
}

function newPolicy(id: string, overrides: Partial<NewPolicy> = {}): NewPolicy {
  return {
    id,
    tenant: null,
    status: 'ACTIVE',
    source: 'api',
    dsl: `rules:\n  - id: ${id}-rule\n    action: DENY\n    conditions:\n      model:\n        denylist: [gpt-x]\n`,
    ...overrides,
  };
}

function newKey(id: string, tenantId: string, overrides: Partial<NewApiKey> = {}): NewApiKey {
  return {
    id,
    tenantId,
    name: `key ${id}`,
    hash: hashOf(id),
    displayPrefix: 'gw_3f9a',
    scopes: ['completions:write', 'models:read'],
    expiresAt: null,
    ...overrides,
  };
}

describe.each<TestDatabaseKind>(['sqlite', 'postgres'])('storage repositories on %s', (kind) => {
  let database: TestDatabase;
  let db: GatewayDatabase;
  let tenants: KyselyTenantRepository;
  let keys: KyselyApiKeyRepository;
  let policies: KyselyPolicyRepository;
  const cipher = new CredentialCipher(randomBytes(32));

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    db = openDatabase(database.url);
    // Every migration, in order (whichever branches added theirs).
    const all = Object.keys(await new StaticMigrationProvider().getMigrations()).sort();
    expect(await migrateToLatest(db)).toEqual(all);
    tenants = new KyselyTenantRepository(db, cipher);
    keys = new KyselyApiKeyRepository(db);
    policies = new KyselyPolicyRepository(db);
  }, 20_000);

  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  describe('tenants', () => {
    it('creates a tenant with defaults and reads it back', async () => {
      const created = await tenants.create({ id: 'acme', name: 'Acme' });
      expect(created).toMatchObject({
        id: 'acme',
        name: 'Acme',
        status: 'active',
        region: null,
        tags: {},
        settings: {},
        credentialProviders: [],
      });
      expect(created.createdAt).toBeInstanceOf(Date);
      expect(Math.abs(created.createdAt.getTime() - Date.now())).toBeLessThan(5_000);
      expect(await tenants.get('acme')).toEqual(created);
      expect(await tenants.get('nobody')).toBeUndefined();
    });

    it('generates a valid id from the name when none is given', async () => {
      const created = await tenants.create({ name: 'Globex Corporation!' });
      expect(created.id).toMatch(TENANT_ID_PATTERN);
      expect(created.id).toMatch(/^globex-corporation-[0-9a-f]{8}$/);
      expect((await tenants.create({ name: '???' })).id).toMatch(/^t-[0-9a-f]{8}$/);
    });

    it('refuses a taken id with tenant_exists and an invalid id with invalid_request', async () => {
      await tenants.create({ id: 'taken', name: 'First' });
      const taken = await rejection(tenants.create({ id: 'taken', name: 'Second' }));
      expect(taken.code).toBe(ErrorCode.TenantExists);
      expect(taken.status).toBe(409);
      expect((await tenants.get('taken'))?.name).toBe('First');
      for (const id of ['Upper', '-dash', 'under_score', 'a'.repeat(64), '']) {
        expect((await rejection(tenants.create({ id, name: 'x' }))).code).toBe(
          ErrorCode.InvalidRequest,
        );
      }
    });

    it('stores every field and updates them partially', async () => {
      await tenants.create({
        id: 'initech',
        name: 'Initech',
        status: 'suspended',
        region: 'eu',
        tags: { team: 'billing' },
        settings: { piiAction: 'REDACT', rateLimits: { requestsPerMinute: 60 } },
      });
      const updated = await tenants.update('initech', { status: 'active', region: null });
      expect(updated).toMatchObject({
        name: 'Initech',
        status: 'active',
        region: null,
        tags: { team: 'billing' },
        settings: { piiAction: 'REDACT', rateLimits: { requestsPerMinute: 60 } },
      });
      const again = await tenants.update('initech', {
        name: 'Initech EU',
        tags: {},
        settings: { allowedProviders: ['mock'] },
      });
      expect(again).toMatchObject({
        name: 'Initech EU',
        tags: {},
        settings: { allowedProviders: ['mock'] },
      });
      expect(again!.updatedAt.getTime()).toBeGreaterThanOrEqual(again!.createdAt.getTime());
      expect(await tenants.get('initech')).toEqual(again);
      expect(await tenants.update('nobody', { name: 'x' })).toBeUndefined();
    });

    it('pages through tenants by id (keyset)', async () => {
      const ids = ['pg0', 'pg1', 'pg2', 'pg3', 'pg4'];
      for (const id of [...ids].reverse()) await tenants.create({ id, name: id });
      const seen: string[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await tenants.list({ limit: 2, after });
        expect(page.length).toBeLessThanOrEqual(2);
        if (page.length === 0) break;
        seen.push(...page.map((t) => t.id));
        after = page[page.length - 1].id;
      }
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.filter((id) => id.startsWith('pg'))).toEqual(ids);
      expect(seen).toEqual((await tenants.list({ limit: 1_000 })).map((t) => t.id));
      expect((await tenants.list({ limit: 2, after: 'pg2' })).map((t) => t.id)).toEqual([
        'pg3',
        'pg4',
      ]);
      expect((await rejection(tenants.list({ limit: 0 }))).code).toBe(ErrorCode.InvalidRequest);
    });

    it('deletes a tenant together with its keys', async () => {
      await tenants.create({ id: 'doomed', name: 'Doomed' });
      await keys.insert(newKey('doomed-k1', 'doomed'));
      await keys.insert(newKey('doomed-k2', 'doomed'));
      expect(await tenants.delete('doomed')).toBe(true);
      expect(await tenants.get('doomed')).toBeUndefined();
      expect(await keys.get('doomed-k1')).toBeUndefined();
      expect(await keys.findByHash(hashOf('doomed-k2'))).toBeUndefined();
      expect(await keys.listByTenant('doomed')).toEqual([]);
      expect(await tenants.delete('doomed')).toBe(false);
    });
  });

  describe('tenant credentials', () => {
    it('encrypts them at rest and decrypts them only on request', async () => {
      const created = await tenants.create({
        id: 'creds',
        name: 'Creds',
        credentials: { openai: { 'api-key': SECRET }, anthropic: { 'api-key': `${SECRET}-b` } },
      });
      expect(created.credentialProviders).toEqual(['anthropic', 'openai']);
      expect(JSON.stringify(created)).not.toContain(SECRET);
      expect(await tenants.credentialsFor('creds', 'openai')).toEqual({ 'api-key': SECRET });
      expect(await tenants.credentialsFor('creds', 'gemini')).toBeUndefined();
      expect(await tenants.credentialsFor('creds', '__proto__')).toBeUndefined();
      expect(await tenants.credentialsFor('nobody', 'openai')).toBeUndefined();

      const raw = await db
        .selectFrom('tenants')
        .selectAll()
        .where('id', '=', 'creds')
        .executeTakeFirstOrThrow();
      expect(JSON.stringify(raw)).not.toContain(SECRET);
      expect(JSON.stringify(raw)).not.toContain(Buffer.from(SECRET).toString('base64'));
      expect(Object.keys(JSON.parse(raw.credentials))).toEqual(['openai', 'anthropic']);
    });

    it('merges credential patches: replace, add, remove with null', async () => {
      await tenants.create({
        id: 'merge',
        name: 'Merge',
        credentials: { openai: { 'api-key': 'a' }, cohere: { 'api-key': 'c' } },
      });
      const updated = await tenants.update('merge', {
        credentials: {
          openai: { 'api-key': 'a2', organization: 'org' },
          gemini: { 'api-key': 'g' },
          cohere: null,
        },
      });
      expect(updated?.credentialProviders).toEqual(['gemini', 'openai']);
      expect(await tenants.allCredentials('merge')).toEqual({
        openai: { 'api-key': 'a2', organization: 'org' },
        gemini: { 'api-key': 'g' },
      });
      await tenants.update('merge', { name: 'Renamed' });
      expect(await tenants.credentialsFor('merge', 'gemini')).toEqual({ 'api-key': 'g' });
      expect(await tenants.allCredentials('nobody')).toEqual({});
      for (const credentials of [JSON.parse('{"__proto__":{"k":"v"}}'), { OpenAI: { k: 'v' } }]) {
        const refused = await rejection(tenants.update('merge', { credentials }));
        expect(refused.code).toBe(ErrorCode.InvalidRequest);
      }
      expect((await tenants.get('merge'))?.credentialProviders).toEqual(['gemini', 'openai']);
    });

    it('asks for GATEWAY_ENCRYPTION_KEY when none is configured, but still reads and removes', async () => {
      const keyless = new KyselyTenantRepository(db, new CredentialCipher(undefined));
      const refused = await rejection(
        keyless.create({ id: 'nokey', name: 'x', credentials: { openai: { 'api-key': SECRET } } }),
      );
      expect(refused.code).toBe(ErrorCode.InvalidRequest);
      expect(refused.message).toContain('GATEWAY_ENCRYPTION_KEY');
      expect(await tenants.get('nokey')).toBeUndefined();

      await tenants.create({
        id: 'keyed',
        name: 'x',
        credentials: { openai: { 'api-key': SECRET } },
      });
      expect((await keyless.get('keyed'))?.credentialProviders).toEqual(['openai']);
      expect((await rejection(keyless.credentialsFor('keyed', 'openai'))).message).toContain(
        'GATEWAY_ENCRYPTION_KEY',
      );
      expect(
        (await keyless.update('keyed', { credentials: { openai: null } }))?.credentialProviders,
      ).toEqual([]);
    });

    it('refuses values decrypted under another key or moved to another tenant', async () => {
      await tenants.create({
        id: 'owner',
        name: 'x',
        credentials: { openai: { 'api-key': SECRET } },
      });
      await tenants.create({ id: 'thief', name: 'x' });
      const otherKey = new KyselyTenantRepository(db, new CredentialCipher(randomBytes(32)));
      const wrongKey = await rejection(otherKey.credentialsFor('owner', 'openai'));
      expect(wrongKey.code).toBe(ErrorCode.InternalError);
      expect(wrongKey.message).not.toContain(SECRET);

      const { credentials } = await db
        .selectFrom('tenants')
        .select('credentials')
        .where('id', '=', 'owner')
        .executeTakeFirstOrThrow();
      await db.updateTable('tenants').set({ credentials }).where('id', '=', 'thief').execute();
      expect((await rejection(tenants.credentialsFor('thief', 'openai'))).code).toBe(
        ErrorCode.InternalError,
      );
    });
  });

  describe('api keys', () => {
    beforeAll(async () => {
      await tenants.create({ id: 'keys', name: 'Keys' });
    });

    it('inserts a key and finds it by id and by hash, with its tenant status', async () => {
      const expiresAt = new Date(Date.now() + 3_600_000);
      const key = await keys.insert(newKey('k-find', 'keys', { expiresAt }));
      expect(key).toMatchObject({
        id: 'k-find',
        tenantId: 'keys',
        displayPrefix: 'gw_3f9a',
        scopes: ['completions:write', 'models:read'],
        expiresAt,
        revokedAt: null,
        lastUsedAt: null,
        replacedBy: null,
      });
      expect(key).not.toHaveProperty('hash');
      expect(await keys.get('k-find')).toEqual(key);
      expect(await keys.findByHash(hashOf('k-find'))).toEqual({
        ...key,
        hash: hashOf('k-find'),
        tenantStatus: 'active',
        tenantRegion: (await tenants.get('keys'))?.region ?? null,
        tenantTags: (await tenants.get('keys'))?.tags ?? {},
        tenantSettings: (await tenants.get('keys'))?.settings ?? {},
      });
      await tenants.update('keys', { region: 'eu', tags: { team: 'search' } });
      // Governance reads the tenant's region and tags from the same read as the key.
      expect(await keys.findByHash(hashOf('k-find'))).toMatchObject({
        tenantRegion: 'eu',
        tenantTags: { team: 'search' },
      });
      await tenants.update('keys', { status: 'suspended' });
      expect((await keys.findByHash(hashOf('k-find')))?.tenantStatus).toBe('suspended');
      await tenants.update('keys', { status: 'active' });
      expect(await keys.findByHash(hashOf('unknown'))).toBeUndefined();
      expect(await keys.get('unknown')).toBeUndefined();
    });

    it('refuses a key for a missing tenant and a duplicate hash', async () => {
      expect((await rejection(keys.insert(newKey('k-orphan', 'nobody')))).code).toBe(
        ErrorCode.TenantNotFound,
      );
      await keys.insert(newKey('k-dup', 'keys'));
      const duplicate = await rejection(
        keys.insert(newKey('k-dup2', 'keys', { hash: hashOf('k-dup') })),
      );
      expect(duplicate.code).toBe(ErrorCode.InvalidRequest);
    });

    it('lists a tenant’s keys newest first', async () => {
      await tenants.create({ id: 'listing', name: 'Listing' });
      for (const id of ['l1', 'l2', 'l3']) await keys.insert(newKey(id, 'listing'));
      expect((await keys.listByTenant('listing')).map((k) => k.id)).toEqual(['l3', 'l2', 'l1']);
      expect(await keys.listByTenant('nobody')).toEqual([]);
    });

    it('revokes once: a second revoke keeps the first time', async () => {
      await keys.insert(newKey('k-revoke', 'keys'));
      const first = new Date('2030-01-01T00:00:00.000Z');
      expect((await keys.revoke('k-revoke', first))?.revokedAt).toEqual(first);
      expect(
        (await keys.revoke('k-revoke', new Date('2031-01-01T00:00:00.000Z')))?.revokedAt,
      ).toEqual(first);
      expect((await keys.findByHash(hashOf('k-revoke')))?.revokedAt).toEqual(first);
      expect(await keys.revoke('unknown', first)).toBeUndefined();
    });

    it('marks a rotated key, never extending an earlier expiry', async () => {
      await keys.insert(newKey('k-old', 'keys'));
      await keys.insert(newKey('k-new', 'keys'));
      const graceEnd = new Date(Date.now() + 86_400_000);
      expect(await keys.markRotated('k-old', 'k-new', graceEnd)).toMatchObject({
        replacedBy: 'k-new',
        expiresAt: graceEnd,
      });

      const soon = new Date(Date.now() + 60_000);
      await keys.insert(newKey('k-soon', 'keys', { expiresAt: soon }));
      expect(await keys.markRotated('k-soon', 'k-new', graceEnd)).toMatchObject({
        replacedBy: 'k-new',
        expiresAt: soon,
      });
      expect(await keys.markRotated('unknown', 'k-new', graceEnd)).toBeUndefined();
    });

    it("stores a key's rate limits and updates its name and limits partially", async () => {
      const created = await keys.insert({
        ...newKey('k-limits', 'keys'),
        rateLimits: { requestsPerMinute: 60 },
      });
      expect(created.rateLimits).toEqual({ requestsPerMinute: 60 });
      expect((await keys.findByHash(hashOf('k-limits')))?.rateLimits).toEqual({
        requestsPerMinute: 60,
      });
      expect((await keys.insert(newKey('k-nolimits', 'keys'))).rateLimits).toBeNull();

      const limits = { requestsPerMinute: 5, tokensPerMinute: 1_000 };
      expect(await keys.update('k-limits', { rateLimits: limits })).toMatchObject({
        name: 'key k-limits',
        rateLimits: limits,
      });
      expect(await keys.update('k-limits', { name: 'renamed' })).toMatchObject({
        name: 'renamed',
        rateLimits: limits,
      });
      expect((await keys.update('k-limits', { rateLimits: null }))?.rateLimits).toBeNull();
      expect((await keys.update('k-limits', {}))?.name).toBe('renamed');
      expect(await keys.update('unknown', { name: 'x' })).toBeUndefined();
    });

    it('records last use in batches, ignoring unknown ids and never going back in time', async () => {
      await keys.insert(newKey('k-use1', 'keys'));
      await keys.insert(newKey('k-use2', 'keys'));
      const t1 = new Date('2030-05-01T10:00:00.000Z');
      const t2 = new Date('2030-05-01T10:00:05.000Z');
      await keys.touchLastUsed([
        { id: 'k-use1', at: t1 },
        { id: 'k-use2', at: t1 },
        { id: 'k-use1', at: t2 },
        { id: 'gone', at: t2 },
      ]);
      expect((await keys.get('k-use1'))?.lastUsedAt).toEqual(t2);
      expect((await keys.get('k-use2'))?.lastUsedAt).toEqual(t1);
      await keys.touchLastUsed([{ id: 'k-use1', at: t1 }]);
      expect((await keys.get('k-use1'))?.lastUsedAt).toEqual(t2);
      await keys.touchLastUsed([]);
    });
  });

  describe('policies', () => {
    it('starts at version 0 with no policy stored', async () => {
      expect(await policies.version()).toBe(0);
      expect(await policies.list()).toEqual([]);
    });

    it('inserts a policy and reads it back', async () => {
      const inserted = await policies.insert(newPolicy('p-read', { status: 'SHADOW' }));
      expect(inserted).toEqual({
        ...newPolicy('p-read', { status: 'SHADOW' }),
        createdAt: inserted.createdAt,
        updatedAt: inserted.createdAt,
      });
      expect(Math.abs(inserted.createdAt.getTime() - Date.now())).toBeLessThan(5_000);
      expect(await policies.get('p-read')).toEqual(inserted);
      expect(await policies.get('nothing')).toBeUndefined();
    });

    it('lists by id: all, the global ones (null), or one tenant’s', async () => {
      // 'not-yet' names no tenant: a policy may be written before its tenant exists.
      for (const [id, tenant] of [
        ['lst-c', 'not-yet'],
        ['lst-a', null],
        ['lst-B', 'lst-t'],
        ['lst-b', 'lst-t'],
        ['lst-a-2', null],
      ] as const) {
        await policies.insert(newPolicy(id, { tenant, source: 'bootstrap' }));
      }
      const all = (await policies.list()).map((p) => p.id);
      expect(all).toEqual([...all].sort());
      expect(all.filter((id) => id.startsWith('lst-'))).toEqual([
        'lst-B',
        'lst-a',
        'lst-a-2',
        'lst-b',
        'lst-c',
      ]);
      expect(await policies.list({})).toEqual(await policies.list());
      const global = await policies.list({ tenant: null });
      expect(global.every((p) => p.tenant === null)).toBe(true);
      expect(global.map((p) => p.id)).toEqual(expect.arrayContaining(['lst-a', 'lst-a-2']));
      expect((await policies.list({ tenant: 'lst-t' })).map((p) => p.id)).toEqual([
        'lst-B',
        'lst-b',
      ]);
      expect(await policies.list({ tenant: 'not-yet' })).toEqual([await policies.get('lst-c')]);
      expect(await policies.list({ tenant: 'nobody' })).toEqual([]);
    });

    it('refuses a taken id with policy_exists and keeps the first', async () => {
      const first = await policies.insert(newPolicy('p-dup'));
      const taken = await rejection(policies.insert(newPolicy('p-dup', { dsl: 'rules: []\n' })));
      expect(taken.code).toBe(ErrorCode.PolicyExists);
      expect(taken.status).toBe(409);
      expect(taken.message).toBe("Policy 'p-dup' already exists.");
      expect(taken.param).toBe('id');
      expect(await policies.get('p-dup')).toEqual(first);
    });

    it('replaces every field but the creation time', async () => {
      await policies.insert(newPolicy('p-replace', { source: 'bootstrap' }));
      const past = Date.now() - 86_400_000;
      await db
        .updateTable('policies')
        .set({ created_at: past, updated_at: past })
        .where('id', '=', 'p-replace')
        .execute();
      const replacement = newPolicy('p-replace', {
        tenant: 'acme',
        status: 'DRAFT',
        source: 'api',
        dsl: 'rules: []\n',
      });
      const replaced = await policies.replace('p-replace', replacement);
      expect(replaced).toEqual({
        ...replacement,
        createdAt: new Date(past),
        updatedAt: replaced!.updatedAt,
      });
      expect(Math.abs(replaced!.updatedAt.getTime() - Date.now())).toBeLessThan(5_000);
      expect(await policies.get('p-replace')).toEqual(replaced);
      expect(await policies.replace('nothing', replacement)).toBeUndefined();
      expect(await policies.get('nothing')).toBeUndefined();
    });

    it('deletes a policy once', async () => {
      await policies.insert(newPolicy('p-delete'));
      expect(await policies.delete('p-delete')).toBe(true);
      expect(await policies.get('p-delete')).toBeUndefined();
      expect(await policies.delete('p-delete')).toBe(false);
    });

    it('advances the version on each write, not on reads, refusals or misses', async () => {
      const start = await policies.version();
      await policies.insert(newPolicy('p-version'));
      expect(await policies.version()).toBe(start + 1);
      await policies.get('p-version');
      await policies.list();
      await policies.list({ tenant: null });
      expect(await policies.version()).toBe(start + 1);
      await policies.replace('p-version', newPolicy('p-version', { status: 'SHADOW' }));
      expect(await policies.version()).toBe(start + 2);
      await rejection(policies.insert(newPolicy('p-version')));
      expect(await policies.replace('nothing', newPolicy('nothing'))).toBeUndefined();
      expect(await policies.delete('nothing')).toBe(false);
      expect(await policies.version()).toBe(start + 2);
      await policies.delete('p-version');
      expect(await policies.version()).toBe(start + 3);
    });

    it('counts every one of concurrent writes in the version', async () => {
      const start = await policies.version();
      const ids = Array.from({ length: 10 }, (_, i) => `p-concurrent-${i}`);
      await Promise.all(ids.map((id) => policies.insert(newPolicy(id))));
      expect(await policies.version()).toBe(start + ids.length);
      await Promise.all(ids.map((id) => policies.delete(id)));
      expect(await policies.version()).toBe(start + 2 * ids.length);
    });

    it('keeps unicode and a 200 KB dsl intact', async () => {
      const unicode =
        'rules:\r\n  - id: "règle-ünïcode"\n    deny_message: "拒否 🚫 — \'quoted\' \\\\ back\tslash ' +
        'עברית e\u0301 𝔘"\n';
      await policies.insert(newPolicy('p-unicode', { dsl: unicode, tenant: 'ténant-😀' }));
      expect(await policies.get('p-unicode')).toMatchObject({ dsl: unicode, tenant: 'ténant-😀' });
      expect((await policies.list({ tenant: 'ténant-😀' })).map((p) => p.id)).toEqual([
        'p-unicode',
      ]);

      const line = '  # padding so the document is large — ½ €\n';
      const large = `rules:\n${line.repeat(Math.ceil(200_000 / line.length))}`;
      expect(Buffer.byteLength(large)).toBeGreaterThan(200_000);
      await policies.insert(newPolicy('p-large', { dsl: large }));
      expect((await policies.get('p-large'))?.dsl).toBe(large);
      await policies.replace('p-large', newPolicy('p-large', { dsl: `${large}# end\n` }));
      expect((await policies.get('p-large'))?.dsl).toBe(`${large}# end\n`);
    });

    // Matched by message: better-sqlite3 is a native module jest loads once per worker, so its
    // SqliteError may extend another test file's Error and fail toThrow()'s instanceof check.
    const CHECK_VIOLATION = /check constraint/i;

    it('leaves no unknown status or source past the schema', async () => {
      const now = Date.now();
      const row = {
        id: 'p-bad',
        tenant: null,
        status: 'ACTIVE',
        source: 'api',
        dsl: '',
        created_at: now,
        updated_at: now,
      } as const;
      const raw = db as unknown as Kysely<{ policies: Record<string, unknown> }>;
      await expect(
        raw
          .insertInto('policies')
          .values({ ...row, status: 'ENFORCED' })
          .execute(),
      ).rejects.toMatchObject({ message: expect.stringMatching(CHECK_VIOLATION) });
      await expect(
        raw
          .insertInto('policies')
          .values({ ...row, source: 'config' })
          .execute(),
      ).rejects.toMatchObject({ message: expect.stringMatching(CHECK_VIOLATION) });
      expect(await policies.get('p-bad')).toBeUndefined();
    });
  });

  describe('migrations', () => {
    it('are idempotent: a second run applies nothing and keeps the data', async () => {
      const before = await tenants.list({ limit: 1_000 });
      expect(await migrateToLatest(db)).toEqual([]);
      expect(await tenants.list({ limit: 1_000 })).toEqual(before);
    });

    it('upgrade an existing database from its first version without losing data', async () => {
      const old = await createTestDatabase(kind);
      try {
        const first = openDatabase(old.url) as unknown as Kysely<SchemaAt0001>;
        const migrator = new Migrator({ db: first, provider: new StaticMigrationProvider() });
        expect((await migrator.migrateTo('0001-tenants-and-api-keys')).error).toBeUndefined();
        const now = Date.now();
        await first
          .insertInto('tenants')
          .values({
            id: 'legacy',
            name: 'Legacy',
            status: 'active',
            region: 'us',
            tags: '{"a":"b"}',
            settings: '{}',
            credentials: '{}',
            created_at: now,
            updated_at: now,
          })
          .execute();
        await first
          .insertInto('api_keys')
          .values({
            id: 'legacy-key',
            tenant_id: 'legacy',
            name: 'k',
            hash: hashOf('legacy'),
            display_prefix: 'gw_0000',
            scopes: '["models:read"]',
            created_at: now,
          })
          .execute();
        await first.destroy();

        // A restart on a newer build: a new connection, then every pending migration.
        const upgraded = openDatabase(old.url);
        try {
          await migrateToLatest(upgraded);
          const tenant = await new KyselyTenantRepository(upgraded, cipher).get('legacy');
          expect(tenant).toMatchObject({ name: 'Legacy', region: 'us', tags: { a: 'b' } });
          expect(tenant?.createdAt.getTime()).toBe(now);
          const key = await new KyselyApiKeyRepository(upgraded).findByHash(hashOf('legacy'));
          expect(key).toMatchObject({
            id: 'legacy-key',
            scopes: ['models:read'],
            tenantStatus: 'active',
            rateLimits: null,
          });
          const upgradedPolicies = new KyselyPolicyRepository(upgraded);
          expect(await upgradedPolicies.version()).toBe(0);
          expect(await upgradedPolicies.list()).toEqual([]);
          expect(await migrateToLatest(upgraded)).toEqual([]);
        } finally {
          await upgraded.destroy();
        }
      } finally {
        await old.drop();
      }
    }, 20_000);
  });
});
