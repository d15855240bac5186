import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { call } from '../helpers/admin-client.js';
import { type GatewayUnderTest, startGateway } from '../helpers/gateway-harness.js';

const TOKEN = 'bootstrap-e2e-admin-token-0123456789';
/** The operator's key for tenant acme, given to the file as ${BOOTSTRAP_E2E_ACME_KEY}. */
const ACME_KEY = `gw_${'7e'.repeat(20)}`;
const KEY_VARIABLE = 'BOOTSTRAP_E2E_ACME_KEY';

const BOOTSTRAP_YAML = `# Tenants and keys seeded at start-up (the Quickstart's file).
tenants:
  - id: acme
    name: Acme Corp
    region: eu
    tags: { team: payments }
    settings:
      pii_action: redact
      rate_limits: { requests_per_minute: 600 }
    keys:
      - name: ci
        scopes: [models:read, completions:write]
        key: \${${KEY_VARIABLE}}
      - name: app
  - id: beta
    name: Beta
    keys:
      - name: default
`;

const BANNER =
  /New API key for tenant '([a-z0-9-]+)' \(name '([^']+)', id (key_[0-9a-f]+)\):\s+(gw_[0-9a-f]{40})/g;

describe('Bootstrap file (GATEWAY_BOOTSTRAP_FILE)', () => {
  let dir: string;
  let env: Record<string, string>;
  const yaml = 'gateway:\n  auth:\n    required: true\n';

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gw-bootstrap-e2e-'));
    const file = join(dir, 'bootstrap.yml');
    writeFileSync(file, BOOTSTRAP_YAML);
    env = {
      GATEWAY_ADMIN_TOKEN: TOKEN,
      GATEWAY_BOOTSTRAP_FILE: file,
      // A file of its own, shared by the two starts below.
      GATEWAY_DATABASE_URL: `file:${join(dir, 'gateway.db')}`,
    };
    // The bootstrap file's ${VARS} come from the process environment, as in production.
    process.env[KEY_VARIABLE] = ACME_KEY;
  });
  afterAll(() => {
    delete process.env[KEY_VARIABLE];
    rmSync(dir, { recursive: true, force: true });
  });

  /** Starts the gateway and returns what it printed on stdout while starting. */
  async function start(): Promise<{ gw: GatewayUnderTest; printed: string }> {
    let printed = '';
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
      printed += String(chunk);
      return true;
    });
    try {
      return { gw: await startGateway({ env, yaml }), printed };
    } finally {
      write.mockRestore();
    }
  }

  async function state(gw: GatewayUnderTest) {
    const get = async (path: string) =>
      (await (
        await fetch(`${gw.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } })
      ).json()) as any;
    const tenants = (await get('/v1/admin/tenants?limit=100')).data;
    const keys = [];
    for (const tenant of tenants)
      keys.push(...(await get(`/v1/admin/tenants/${tenant.id}/keys`)).data);
    // last_used_at moves when the keys are used; everything else must stay as it was.
    return JSON.stringify({ tenants, keys: keys.map(({ last_used_at: _used, ...key }) => key) });
  }

  async function status(gw: GatewayUnderTest, key: string): Promise<number> {
    return (await fetch(`${gw.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } }))
      .status;
  }

  it('seeds an empty store, then changes nothing when applied again', async () => {
    const first = await start();
    let before: string;
    const generated: Record<string, string> = {};
    try {
      const banners = [...first.printed.matchAll(BANNER)];
      expect(banners.map((m) => `${m[1]}/${m[2]}`).sort()).toEqual(['acme/app', 'beta/default']);
      for (const m of banners) generated[`${m[1]}/${m[2]}`] = m[4]!;
      // The operator's key is imported, never printed.
      expect(first.printed).not.toContain(ACME_KEY);

      before = await state(first.gw);
      const parsed = JSON.parse(before);
      expect(parsed.tenants.map((t: any) => t.id)).toEqual(['acme', 'beta']);
      expect(parsed.tenants[0]).toMatchObject({
        name: 'Acme Corp',
        region: 'eu',
        tags: { team: 'payments' },
        settings: { pii_action: 'REDACT', rate_limits: { requests_per_minute: 600 } },
      });
      expect(parsed.keys.map((k: any) => `${k.tenant_id}/${k.name}`).sort()).toEqual([
        'acme/app',
        'acme/ci',
        'beta/default',
      ]);
      expect(parsed.keys.find((k: any) => k.name === 'ci').scopes).toEqual([
        'models:read',
        'completions:write',
      ]);

      expect(await status(first.gw, ACME_KEY)).toBe(200);
      expect(await status(first.gw, generated['acme/app'])).toBe(200);
      expect(await status(first.gw, generated['beta/default'])).toBe(200);
    } finally {
      await first.gw.close();
    }

    const second = await start();
    try {
      expect(second.printed).not.toMatch(/New API key/);
      expect(second.printed).not.toMatch(/gw_[0-9a-f]{40}/);
      expect(await state(second.gw)).toBe(before);
      expect(await status(second.gw, ACME_KEY)).toBe(200);
      expect(await status(second.gw, generated['acme/app'])).toBe(200);
    } finally {
      await second.gw.close();
    }
  });

  it('stops start-up on an invalid file, naming the file and the problem', async () => {
    const bad = join(dir, 'bad.yml');
    writeFileSync(bad, 'tenants:\n  - id: Acme Corp\n    name: Acme\n');
    await expect(startGateway({ env: { ...env, GATEWAY_BOOTSTRAP_FILE: bad } })).rejects.toThrow(
      `Bootstrap file ${bad}: tenants[0].id must match [a-z0-9][a-z0-9-]{0,62}`,
    );
    const missingKey = join(dir, 'missing-key.yml');
    writeFileSync(
      missingKey,
      'tenants:\n  - id: a\n    name: A\n    keys: [{ name: ci, key: "${BOOTSTRAP_E2E_UNSET}" }]\n',
    );
    await expect(
      startGateway({ env: { ...env, GATEWAY_BOOTSTRAP_FILE: missingKey } }),
    ).rejects.toThrow(
      `Bootstrap file ${missingKey}: tenants[0].keys[0].key (from \${BOOTSTRAP_E2E_UNSET}) must be a gateway key`,
    );
    const absent = join(dir, 'absent.yml');
    await expect(startGateway({ env: { ...env, GATEWAY_BOOTSTRAP_FILE: absent } })).rejects.toThrow(
      `Bootstrap file ${absent}: cannot be read (ENOENT)`,
    );
  });

  describe('policies', () => {
    const DENY = (model: string) =>
      `rules:\n        - id: stop\n          conditions:\n            model: { denylist: ["${model}"] }\n`;

    /** One `policies:` entry of the file (dsl as a YAML block). */
    const entry = (fields: string, dsl: string) =>
      `  - ${fields.split('\n').join('\n    ')}\n    dsl: |\n      ${dsl}`;

    const FIRST = [
      'tenants:\n  - { id: acme, name: Acme }',
      'policies:',
      entry('id: boot-global', DENY('mock/boot-deny')),
      entry('id: boot-acme\nworkspace: acme\nstatus: shadow', DENY('mock/acme-deny')),
      entry('id: boot-old', DENY('mock/old')),
      entry('id: bad', 'rules:\n        - id: empty\n          conditions: {}\n'),
      entry('id: with-colour\ncolour: red', DENY('x')),
    ].join('\n');

    /** The file, edited: one policy changed, one broken, one dropped, one taking an API id. */
    const SECOND = [
      'tenants:\n  - { id: acme, name: Acme }',
      'policies:',
      entry('id: boot-global', DENY('mock/boot-deny-2')),
      entry('id: boot-acme\nworkspace: acme\nstatus: shadow', 'rules: [\n'),
      entry('id: api-owned', DENY('mock/hijack')),
      entry('id: bad', 'rules:\n        - id: empty\n          conditions: {}\n'),
    ].join('\n');

    let policyDir: string;
    beforeAll(() => {
      policyDir = mkdtempSync(join(tmpdir(), 'gw-bootstrap-policies-'));
    });
    afterAll(() => rmSync(policyDir, { recursive: true, force: true }));

    async function startWith(text: string, name: string) {
      const file = join(policyDir, name);
      writeFileSync(file, text);
      const logs: string[] = [];
      const gw = await startGateway({
        env: {
          GATEWAY_ADMIN_TOKEN: TOKEN,
          GATEWAY_BOOTSTRAP_FILE: file,
          GATEWAY_DATABASE_URL: `file:${join(policyDir, 'gateway.db')}`,
          LOG_LEVEL: 'info',
        },
        logSink: logs,
      });
      return { gw, logs: logs.join('\n') };
    }

    const admin = { token: TOKEN };
    const policies = async (gw: GatewayUnderTest) =>
      (await call(gw, 'GET', '/v1/admin/policies', admin)).body.data as any[];
    const decide = async (gw: GatewayUnderTest, model: string, tenant?: string) =>
      (
        await call(gw, 'POST', '/v1/admin/policies/dry-run', {
          ...admin,
          body: { request: { model }, tenant },
        })
      ).body;

    it('seeds them read-only, skips invalid entries by name, and is idempotent', async () => {
      const first = await startWith(FIRST, 'first.yml');
      let seeded: any[];
      try {
        seeded = await policies(first.gw);
        expect(seeded.map((p) => [p.id, p.tenant, p.status, p.source, p.read_only])).toEqual([
          ['boot-acme', 'acme', 'SHADOW', 'bootstrap', true],
          ['boot-global', null, 'ACTIVE', 'bootstrap', true],
          ['boot-old', null, 'ACTIVE', 'bootstrap', true],
        ]);
        expect(first.logs).toMatch(/policies\[3\] \(policy 'bad'\) is skipped: .*empty/);
        expect(first.logs).toMatch(/policies\[4\] \(policy 'with-colour'\) is skipped: .*colour/);
        expect(first.logs).toContain('3 created, 0 updated, 0 removed, 0 unchanged, 2 skipped');
        // Enforced: the stored policies are in force as soon as the gateway serves.
        expect((await decide(first.gw, 'mock/boot-deny')).decision).toBe('DENY');
        expect((await decide(first.gw, 'mock/acme-deny', 'acme')).decision).toBe('ALLOW');
        // An API policy, which no bootstrap file may overwrite.
        const created = await call(first.gw, 'POST', '/v1/admin/policies', {
          ...admin,
          body: { id: 'api-owned', dsl: DENY('mock/api') },
        });
        expect(created.status).toBe(201);
      } finally {
        await first.gw.close();
      }

      const again = await startWith(FIRST, 'first.yml');
      try {
        const now = await policies(again.gw);
        expect(now.filter((p) => p.source === 'bootstrap')).toEqual(seeded);
        expect(again.logs).toContain('0 created, 0 updated, 0 removed, 3 unchanged, 2 skipped');
      } finally {
        await again.gw.close();
      }

      const edited = await startWith(SECOND, 'second.yml');
      try {
        const now = Object.fromEntries((await policies(edited.gw)).map((p) => [p.id, p]));
        expect(Object.keys(now).sort()).toEqual(['api-owned', 'boot-acme', 'boot-global']);
        expect(now['boot-global'].dsl).toContain('mock/boot-deny-2');
        expect(now['boot-global'].created_at).toBe(
          seeded.find((p) => p.id === 'boot-global').created_at,
        );
        // Broken in the file: the stored one keeps governing, unchanged.
        expect(now['boot-acme']).toEqual(seeded.find((p) => p.id === 'boot-acme'));
        // Written through the API: never overwritten.
        expect(now['api-owned']).toMatchObject({ source: 'api', read_only: false });
        expect(now['api-owned'].dsl).toContain('mock/api');
        expect(edited.logs).toMatch(/policies\[1\] \(policy 'boot-acme'\) is skipped: .*kept/);
        expect(edited.logs).toMatch(
          /policies\[2\] \(policy 'api-owned'\) is skipped: .*admin API or the CLI/,
        );
        expect(edited.logs).toContain("Policy 'boot-old' is no longer in the bootstrap file");
        expect(edited.logs).toContain('0 created, 1 updated, 1 removed, 0 unchanged, 3 skipped');
        expect((await decide(edited.gw, 'mock/boot-deny')).decision).toBe('ALLOW');
        expect((await decide(edited.gw, 'mock/boot-deny-2')).decision).toBe('DENY');
        expect((await decide(edited.gw, 'mock/old')).decision).toBe('ALLOW');
      } finally {
        await edited.gw.close();
      }
    });

    it('accepts a file of policies alone', async () => {
      const only = await startWith(
        `policies:\n${entry('id: alone', DENY('mock/alone'))}`,
        'only-policies.yml',
      );
      try {
        const ids = (await policies(only.gw)).map((p) => p.id);
        expect(ids).toContain('alone');
      } finally {
        await only.gw.close();
      }
    });
  });
});
