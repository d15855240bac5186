import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from '../../../src/cli/cli.io.js';
import { runCli } from '../../../src/cli/cli.runner.js';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** `gateway spend`, `gateway budgets ...`, `gateway pricing ...` against a SQLite database. */
describe('CLI: spend, budgets and pricing', () => {
  let dir: string;
  let env: Record<string, string>;

  async function cli(argv: string[]): Promise<Result> {
    let stdout = '';
    let stderr = '';
    const io: CliIo = {
      env,
      stdout: (text) => void (stdout += text),
      stderr: (text) => void (stderr += text),
      readStdin: () => Promise.resolve(''),
    };
    const code = await runCli(argv, io);
    return { code, stdout, stderr };
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-cli-metering-'));
    env = {
      GATEWAY_PROFILE: 'ci',
      LOG_LEVEL: 'silent',
      GATEWAY_DATABASE_URL: `file:${join(dir, 'gateway.db')}`,
    };
    expect((await cli(['tenants', 'create', '--name', 'Acme', '--id', 'acme'])).code).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates, lists, updates, reads the usage of and deletes a budget', async () => {
    const created = await cli([
      'budgets',
      'create',
      '--tenant',
      'acme',
      '--period',
      'month',
      '--limit-usd',
      '25.5',
      '--id',
      'acme-monthly',
      '--json',
    ]);
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ id: 'acme-monthly', limit_usd: 25.5 });
    const listed = await cli(['budgets', 'list', '--tenant', 'acme']);
    expect(listed.stdout).toMatch(/acme-monthly\s+acme\s+-\s+month\s+25\.5\s+80\s+yes\s+api/);
    const updated = await cli(['budgets', 'update', 'acme-monthly', '--limit-usd', '30', '--json']);
    expect(JSON.parse(updated.stdout)).toMatchObject({ limit_usd: 30 });
    const usage = await cli(['budgets', 'usage', 'acme-monthly', '--json']);
    expect(JSON.parse(usage.stdout)).toMatchObject({
      budget_id: 'acme-monthly',
      spent_usd: 0,
      remaining_usd: 30,
    });
    expect((await cli(['budgets', 'delete', 'acme-monthly'])).code).toBe(0);
  });

  it('refuses bad budget options as usage errors naming the option', async () => {
    const negative = await cli([
      'budgets',
      'create',
      '--tenant',
      'acme',
      '--period',
      'day',
      '--limit-usd',
      '-5',
    ]);
    expect(negative.code).toBe(2);
    expect(negative.stderr).toContain('--limit-usd');
    const period = await cli([
      'budgets',
      'create',
      '--tenant',
      'acme',
      '--period',
      'year',
      '--limit-usd',
      '1',
    ]);
    expect(period.code).toBe(2);
    expect(period.stderr).toContain('--period');
    const nobody = await cli([
      'budgets',
      'create',
      '--tenant',
      'nobody',
      '--period',
      'day',
      '--limit-usd',
      '1',
    ]);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toContain("Tenant 'nobody' does not exist");
  });

  it('stores a price and shows the effective one with its source', async () => {
    const set = await cli([
      'pricing',
      'set',
      '--provider',
      'openai',
      '--model',
      'gpt-4o-mini*',
      '--input',
      '0.1',
      '--output',
      '0.4',
    ]);
    expect(set).toMatchObject({ code: 0, stderr: '' });
    const got = await cli([
      'pricing',
      'get',
      '--provider',
      'openai',
      '--model',
      'gpt-4o-mini',
      '--json',
    ]);
    expect(JSON.parse(got.stdout)).toMatchObject({ source: 'admin', input: 0.1, output: 0.4 });
    const listed = await cli(['pricing', 'list']);
    expect(listed.stdout).toMatch(/openai\s+gpt-4o-mini\*\s+admin\s+0\.1\s+0\.4/);
  });

  it('reports spend as a table, JSON or CSV with the API options', async () => {
    const table = await cli(['spend', '--group-by', 'tenant,model']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^TENANT\s+MODEL\s+REQUESTS/);
    expect(table.stdout).toMatch(/TOTAL/);
    const json = await cli(['spend', '--from', '2026-01-01', '--to', '2026-02-01', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      object: 'spend_report',
      data: [],
      total: { requests: 0 },
    });
    const csv = await cli(['spend', '--group-by', 'day', '--format', 'csv']);
    expect(csv.stdout.split('\r\n')[0]).toBe(
      'day,requests,input_tokens,output_tokens,cached_input_tokens,cost_usd,estimated_requests,unpriced_requests',
    );
    const bad = await cli(['spend', '--group-by', 'colour']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--group-by');
  });
});
