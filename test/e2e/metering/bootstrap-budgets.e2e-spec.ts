import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, expectError, TOKEN } from '../../helpers/admin-client.js';
import { startGateway } from '../../helpers/gateway-harness.js';

/** Budgets of the bootstrap file (contract 11.3): applied at start-up, read-only on the API. */
describe('metering: bootstrap budgets', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gw-boot-budgets-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the file’s budgets after its tenants, and refuses API changes to them', async () => {
    const file = join(dir, 'bootstrap.yml');
    writeFileSync(
      file,
      [
        'tenants:',
        '  - { id: acme, name: Acme }',
        'budgets:',
        '  - { id: acme-ceiling, tenant: acme, period: month, limit_usd: 1000, soft_limit_pct: 90 }',
      ].join('\n'),
    );
    const gw = await startGateway({
      env: { GATEWAY_ADMIN_TOKEN: TOKEN, GATEWAY_BOOTSTRAP_FILE: file },
      yaml: `gateway:\n  bootstrap: { file: "${file}" }\n`,
    });
    try {
      const got = await call(gw, 'GET', '/v1/admin/budgets/acme-ceiling');
      expect(got.body).toMatchObject({
        source: 'bootstrap',
        read_only: true,
        limit_usd: 1000,
        soft_limit_pct: 90,
      });
      expectError(
        await call(gw, 'PATCH', '/v1/admin/budgets/acme-ceiling', { body: { limit_usd: 1 } }),
        409,
        'budget_read_only',
        'id',
      );
    } finally {
      await gw.close();
    }
  });

  it('stops start-up naming the file when a budget is invalid', async () => {
    const file = join(dir, 'bad.yml');
    writeFileSync(file, 'budgets:\n  - { id: x, tenant: acme, period: year, limit_usd: 1 }\n');
    await expect(
      startGateway({ yaml: `gateway:\n  bootstrap: { file: "${file}" }\n` }),
    ).rejects.toThrow(/bad\.yml.*period/);
  });
});
