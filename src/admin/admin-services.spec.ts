import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { ErrorCode } from '../common/errors/error-code.js';
import { GatewayError } from '../common/errors/gateway-error.js';
import { loadGatewayConfig } from '../config/config.loader.js';
import { GatewayConfigModule } from '../config/gateway-config.module.js';
import { hashApiKey } from '../governance/auth/api-key.secret.js';
import { ApiKeyService } from '../governance/auth/api-key.service.js';
import {
  InProcessInvalidationBus,
  KeyInvalidationBus,
} from '../governance/auth/key-invalidation.bus.js';
import { LastUsedRecorder } from '../governance/auth/last-used.recorder.js';
import { ApiKeyRepository } from '../storage/api-key.repository.js';
import { DATABASE, type GatewayDatabase } from '../storage/database.types.js';
import { StorageModule } from '../storage/storage.module.js';
import { AuditModule } from '../governance/audit/audit.module.js';
import { type AdminActor, AdminEvents } from './admin-events.service.js';
import { BootstrapConsole } from './bootstrap/bootstrap.console.js';
import { BOOTSTRAP_ENVIRONMENT, BootstrapService } from './bootstrap/bootstrap.service.js';
import { KeysAdminService } from './keys-admin.service.js';
import { TenantsAdminService } from './tenants-admin.service.js';

const ACTOR: AdminActor = { via: 'cli' };
const ENCRYPTION_KEY = 'ab'.repeat(32);
const dir = mkdtempSync(join(tmpdir(), 'gw-admin-'));
let databases = 0;

class CapturedConsole extends BootstrapConsole {
  readonly shown: string[] = [];
  show(text: string): void {
    this.shown.push(text);
  }
}

interface Harness {
  readonly moduleRef: TestingModule;
  readonly tenants: TenantsAdminService;
  readonly keys: KeysAdminService;
  readonly apiKeys: ApiKeyService;
  readonly events: AdminEvents;
  readonly console: CapturedConsole;
}

const open: TestingModule[] = [];

const SILENT = { log() {}, error() {}, warn() {} };

/** What the bootstrap file must leave alone (last_used_at moves when the keys are used). */
function snapshot(value: unknown): string {
  return JSON.stringify(value, (key, field: unknown) => (key === 'lastUsedAt' ? undefined : field));
}

/** The admin services on the real storage module: a SQLite file of its own, or the one given. */
async function start(
  options: { database?: string; bootstrapFile?: string; env?: Record<string, string> } = {},
): Promise<Harness> {
  const database = options.database ?? join(dir, `admin-${(databases += 1)}.db`);
  const config = loadGatewayConfig({
    env: {
      GATEWAY_PROFILE: 'ci',
      LOG_LEVEL: 'silent',
      GATEWAY_DATABASE_URL: `file:${database}`,
      GATEWAY_ENCRYPTION_KEY: ENCRYPTION_KEY,
      GATEWAY_BOOTSTRAP_FILE: options.bootstrapFile ?? '',
    },
  });
  const console = new CapturedConsole();
  const moduleRef = await Test.createTestingModule({
    imports: [GatewayConfigModule.forRoot(config), StorageModule, AuditModule.forRoot('gateway')],
    providers: [
      ApiKeyService,
      { provide: KeyInvalidationBus, useClass: InProcessInvalidationBus },
      LastUsedRecorder,
      AdminEvents,
      TenantsAdminService,
      KeysAdminService,
      BootstrapService,
      { provide: BootstrapConsole, useValue: console },
      { provide: BOOTSTRAP_ENVIRONMENT, useValue: options.env ?? {} },
    ],
  })
    .setLogger(SILENT)
    .compile();
  open.push(moduleRef);
  await moduleRef.init();
  return {
    moduleRef,
    tenants: moduleRef.get(TenantsAdminService),
    keys: moduleRef.get(KeysAdminService),
    apiKeys: moduleRef.get(ApiKeyService),
    events: moduleRef.get(AdminEvents),
    console,
  };
}

async function rejection(work: Promise<unknown>): Promise<GatewayError> {
  try {
    await work;
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

afterEach(async () => {
  while (open.length > 0) await open.pop()?.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe(TenantsAdminService.name, () => {
  it('creates, lists by pages, updates, suspends and deletes tenants, recording each change', async () => {
    const h = await start();
    const record = jest.spyOn(h.events, 'record');
    const changed = jest.spyOn(h.apiKeys, 'tenantChanged');

    for (const id of ['c', 'a', 'b']) await h.tenants.create({ id, name: id.toUpperCase() }, ACTOR);
    expect((await rejection(h.tenants.create({ id: 'a', name: 'again' }, ACTOR))).code).toBe(
      ErrorCode.TenantExists,
    );
    const first = await h.tenants.list({ limit: 2 });
    expect(first.tenants.map((t) => t.id)).toEqual(['a', 'b']);
    expect(first.hasMore).toBe(true);
    const second = await h.tenants.list({ limit: 2, after: 'b' });
    expect(second.tenants.map((t) => t.id)).toEqual(['c']);
    expect(second.hasMore).toBe(false);

    await h.tenants.update(
      'a',
      { settings: { piiAction: 'REDACT', rateLimits: { requestsPerMinute: 10 } } },
      ACTOR,
    );
    const merged = await h.tenants.update('a', { settings: { piiAction: null } }, ACTOR);
    expect(merged.settings).toEqual({ rateLimits: { requestsPerMinute: 10 } });
    expect((await h.tenants.update('a', { settings: null }, ACTOR)).settings).toEqual({});

    expect((await h.tenants.setStatus('a', 'suspended', ACTOR)).status).toBe('suspended');
    expect((await h.tenants.setStatus('a', 'active', ACTOR)).status).toBe('active');
    await h.tenants.delete('a', ACTOR);
    expect((await rejection(h.tenants.get('a'))).code).toBe(ErrorCode.TenantNotFound);
    expect((await rejection(h.tenants.delete('a', ACTOR))).code).toBe(ErrorCode.TenantNotFound);
    expect((await rejection(h.tenants.update('zz', { name: 'x' }, ACTOR))).code).toBe(
      ErrorCode.TenantNotFound,
    );

    // Key caches forget the tenant on every status or settings change, and on deletion.
    expect(changed.mock.calls.map(([id]) => id)).toEqual(['a', 'a', 'a', 'a', 'a', 'a']);
    expect(record.mock.calls.map(([change]) => change.action)).toEqual([
      'tenant.created',
      'tenant.created',
      'tenant.created',
      'tenant.updated',
      'tenant.updated',
      'tenant.updated',
      'tenant.suspended',
      'tenant.activated',
      'tenant.deleted',
    ]);
    expect(record.mock.calls[3]?.[0].fields).toEqual(['settings']);
  });

  it('keeps credentials out of the tenant it returns', async () => {
    const h = await start();
    const tenant = await h.tenants.create(
      { id: 'acme', name: 'Acme', credentials: { openai: { 'api-key': 'sk-secret-value' } } },
      ACTOR,
    );
    expect(tenant.credentialProviders).toEqual(['openai']);
    expect(JSON.stringify(tenant)).not.toContain('sk-secret-value');
  });
});

describe(KeysAdminService.name, () => {
  it('issues, lists, revokes and rotates keys, recording each change without a secret', async () => {
    const h = await start();
    const logged: unknown[] = [];
    jest.spyOn(Logger.prototype, 'log').mockImplementation((message: unknown) => {
      logged.push(message);
    });
    await h.tenants.create({ id: 'acme', name: 'Acme' }, ACTOR);
    const issued = await h.keys.create('acme', { name: 'ci', scopes: ['models:read'] }, ACTOR);
    expect(issued.plaintext).toMatch(/^gw_[0-9a-f]{40}$/);
    expect((await h.keys.list('acme')).map((k) => k.id)).toEqual([issued.key.id]);
    expect((await rejection(h.keys.list('nope'))).code).toBe(ErrorCode.TenantNotFound);
    expect((await rejection(h.keys.create('nope', { name: 'x' }, ACTOR))).code).toBe(
      ErrorCode.TenantNotFound,
    );

    const rotated = await h.keys.rotate(issued.key.id, 60, ACTOR);
    expect(rotated.key.name).toBe('ci');
    expect(rotated.key.scopes).toEqual(['models:read']);
    expect(rotated.previous.replacedBy).toBe(rotated.key.id);
    const graceEnd = rotated.previous.expiresAt?.getTime() ?? 0;
    expect(Math.abs(graceEnd - (Date.now() + 60_000))).toBeLessThan(5_000);
    expect(await h.apiKeys.verify(issued.plaintext)).toMatchObject({ keyId: issued.key.id });
    expect(await h.apiKeys.verify(rotated.plaintext)).toMatchObject({ keyId: rotated.key.id });

    // A key is rotated once; revoked and expired keys are not rotated.
    const again = await rejection(h.keys.rotate(issued.key.id, 0, ACTOR));
    expect(again).toMatchObject({ code: ErrorCode.InvalidRequest, param: 'keyId' });
    expect(again.message).toContain('already rotated');
    await h.keys.revoke(rotated.key.id, ACTOR);
    expect((await rejection(h.keys.rotate(rotated.key.id, 0, ACTOR))).message).toContain('revoked');
    expect((await rejection(h.apiKeys.verify(rotated.plaintext))).code).toBe(
      ErrorCode.ApiKeyRevoked,
    );
    expect((await rejection(h.keys.revoke('key_missing', ACTOR))).code).toBe(
      ErrorCode.ApiKeyNotFound,
    );

    const text = JSON.stringify(logged);
    expect(text).toContain('api_key.created');
    expect(text).toContain('api_key.rotated');
    expect(text).toContain('api_key.revoked');
    expect(text).not.toContain(issued.plaintext);
    expect(text).not.toContain(rotated.plaintext);
    expect(text).not.toContain(hashApiKey(issued.plaintext));
  });

  it('rotates with grace 0 so the old key stops at once', async () => {
    const h = await start();
    await h.tenants.create({ id: 'acme', name: 'Acme' }, ACTOR);
    const issued = await h.keys.create('acme', { name: 'ci' }, ACTOR);
    await h.apiKeys.verify(issued.plaintext);
    const rotated = await h.keys.rotate(issued.key.id, 0, ACTOR);
    expect((await rejection(h.apiKeys.verify(issued.plaintext))).code).toBe(
      ErrorCode.ApiKeyExpired,
    );
    expect((await rejection(h.keys.rotate(issued.key.id, 0, ACTOR))).code).toBe(
      ErrorCode.InvalidRequest,
    );
    expect(await h.apiKeys.verify(rotated.plaintext)).toMatchObject({ tenantId: 'acme' });
  });

  it('imports an operator-chosen key by its hash only', async () => {
    const h = await start();
    await h.tenants.create({ id: 'acme', name: 'Acme' }, ACTOR);
    const plaintext = `gw_${'0f'.repeat(20)}`;
    const key = await h.keys.import('acme', plaintext, { name: 'ci' }, ACTOR);
    expect(key.displayPrefix).toBe('gw_0f0f');
    expect(await h.apiKeys.verify(plaintext)).toMatchObject({ keyId: key.id });
    const db = h.moduleRef.get<GatewayDatabase>(DATABASE);
    const rows = await db.selectFrom('api_keys').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(plaintext);
    expect(rows[0]?.hash).toBe(hashApiKey(plaintext));
    await expect(h.keys.import('acme', 'gw_short', { name: 'x' }, ACTOR)).rejects.toThrow(
      'Not a gateway key',
    );
  });
});

describe(BootstrapService.name, () => {
  const KEY = `gw_${'5a'.repeat(20)}`;

  function bootstrapFile(): string {
    const file = join(dir, `bootstrap-${(databases += 1)}.yml`);
    writeFileSync(
      file,
      [
        'tenants:',
        '  - id: acme',
        '    name: Acme',
        '    settings: { pii_action: block }',
        '    keys:',
        '      - { name: ci, scopes: [models:read], key: "${ACME_CI_KEY}" }',
        '      - { name: app }',
        '  - id: beta',
        '    name: Beta',
        '    keys: [{ name: default }]',
        '',
      ].join('\n'),
    );
    return file;
  }

  it('seeds an empty store once; the second start changes nothing and shows no key', async () => {
    const database = join(dir, `bootstrap-${(databases += 1)}.db`);
    const file = bootstrapFile();
    const env = { ACME_CI_KEY: KEY };

    const first = await start({ database, bootstrapFile: file, env });
    expect(first.console.shown).toHaveLength(2);
    const acmeKeys = await first.keys.list('acme');
    const betaKeys = await first.keys.list('beta');
    expect(acmeKeys.map((k) => k.name).sort()).toEqual(['app', 'ci']);
    expect(betaKeys.map((k) => k.name)).toEqual(['default']);
    expect((await first.tenants.get('acme')).settings).toEqual({ piiAction: 'BLOCK' });
    expect(await first.apiKeys.verify(KEY)).toMatchObject({
      tenantId: 'acme',
      scopes: ['models:read'],
    });
    const generated = /(gw_[0-9a-f]{40})/.exec(first.console.shown.join(''))?.[1] ?? '';
    expect(await first.apiKeys.verify(generated)).toMatchObject({ tenantId: expect.any(String) });
    const before = snapshot([acmeKeys, betaKeys, await first.tenants.list({ limit: 10 })]);
    await first.moduleRef.close();
    open.pop();

    const second = await start({ database, bootstrapFile: file, env });
    expect(second.console.shown).toEqual([]);
    const after = snapshot([
      await second.keys.list('acme'),
      await second.keys.list('beta'),
      await second.tenants.list({ limit: 10 }),
    ]);
    expect(after).toBe(before);
  });

  it('fills in what is missing and never changes what exists', async () => {
    const database = join(dir, `bootstrap-${(databases += 1)}.db`);
    const seed = await start({ database });
    await seed.tenants.create({ id: 'acme', name: 'Renamed by an admin' }, ACTOR);
    await seed.keys.create('acme', { name: 'app' }, ACTOR);
    await seed.moduleRef.close();
    open.pop();

    const h = await start({ database, bootstrapFile: bootstrapFile(), env: { ACME_CI_KEY: KEY } });
    expect((await h.tenants.get('acme')).name).toBe('Renamed by an admin');
    expect((await h.keys.list('acme')).map((k) => k.name).sort()).toEqual(['app', 'ci']);
    // Only beta's generated key is new; acme's 'app' existed.
    expect(h.console.shown).toHaveLength(1);
    expect(h.console.shown[0]).toContain("tenant 'beta'");
  });

  it('stops start-up on a bad file, naming the file', async () => {
    const file = join(dir, 'bad.yml');
    writeFileSync(
      file,
      'tenants:\n  - id: acme\n    name: Acme\n    keys: [{ name: ci, key: "${MISSING}" }]\n',
    );
    await expect(start({ bootstrapFile: file })).rejects.toThrow(
      `Bootstrap file ${file}: tenants[0].keys[0].key (from \${MISSING}) must be a gateway key`,
    );
  });

  it('refuses a key already stored under another tenant or name', async () => {
    const database = join(dir, `bootstrap-${(databases += 1)}.db`);
    const seed = await start({ database });
    await seed.tenants.create({ id: 'other', name: 'Other' }, ACTOR);
    await seed.keys.import('other', KEY, { name: 'taken' }, ACTOR);
    await seed.moduleRef.close();
    open.pop();
    await expect(
      start({ database, bootstrapFile: bootstrapFile(), env: { ACME_CI_KEY: KEY } }),
    ).rejects.toThrow("tenants[0].keys[0].key is already in use by key 'taken'");
  });

  it('does nothing without a bootstrap file', async () => {
    const h = await start();
    expect(h.console.shown).toEqual([]);
    expect((await h.tenants.list({ limit: 10 })).tenants).toEqual([]);
    expect(h.moduleRef.get(ApiKeyRepository)).toBeDefined();
  });
});
