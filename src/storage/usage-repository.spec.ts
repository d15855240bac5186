import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createTestDatabase,
  openDatabase,
  type TestDatabase,
  type TestDatabaseKind,
} from '../../test/helpers/storage-harness.js';
import { resolveDatabaseTarget } from './database-target.js';
import { migrateToLatest } from './database.migrator.js';
import type { GatewayDatabase } from './database.types.js';
import { KyselyBudgetRepository } from './kysely-budget.repository.js';
import { KyselyPricingRepository } from './kysely-pricing.repository.js';
import { KyselyUsageRepository } from './kysely-usage.repository.js';
import type { UsageRecord } from './usage.repository.js';

const HOUR = 3_600_000;
const DAY0 = Date.parse('2026-12-07T00:00:00Z');

function record(at: number, overrides: Partial<UsageRecord> = {}): UsageRecord {
  return {
    at,
    traceId: `t${at}`,
    tenantId: 'acme',
    keyId: 'key_a',
    provider: 'openai',
    model: 'gpt-4o',
    inputTokens: 100,
    outputTokens: 10,
    cachedInputTokens: 5,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    costNano: 1_000,
    estimated: false,
    priced: true,
    status: 200,
    tags: [],
    ...overrides,
  };
}

// SQLite twice: through Kysely (an in-memory database's path) and through the statements prepared
// once that a SQLite file's batches use; both must store the very same rows and sums.
describe.each<[TestDatabaseKind, 'kysely' | 'prepared']>([
  ['sqlite', 'kysely'],
  ['sqlite', 'prepared'],
  ['postgres', 'kysely'],
])('metering storage on %s, usage written through %s statements', (kind, writer) => {
  let database: TestDatabase;
  let db: GatewayDatabase;
  let usage: KyselyUsageRepository;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    db = openDatabase(database.url);
    await migrateToLatest(db);
    const target = resolveDatabaseTarget({ databaseUrl: database.url, sqlitePath: '' });
    usage = new KyselyUsageRepository(db, writer === 'prepared' ? target : undefined);
    // Two batches over three hours and two days, so both the hourly sums and the raw edges count.
    await usage.insert([
      record(DAY0 + 10 * 60_000, { tags: ['team=search', 'env=prod'] }),
      record(DAY0 + HOUR + 1, { keyId: null, estimated: true }),
      record(DAY0 + 2 * HOUR + 30 * 60_000, { model: 'gpt-4o-mini', priced: false, costNano: 0 }),
    ]);
    await usage.insert([
      record(DAY0 + 10 * 60_000 + 1, { tags: ['team=search'] }),
      record(DAY0 + 86_400_000 + 5, { tenantId: 'other', provider: 'anthropic', costNano: 7 }),
    ]);
  });
  afterAll(async () => {
    await usage.onApplicationShutdown();
    await db.destroy();
    await database.drop();
  });

  it('stores every field of a record, and each of its tags with its measures', async () => {
    const at = DAY0 + 3 * 86_400_000 + 17;
    await usage.insert([
      record(at, {
        traceId: 'trace-every-field',
        tenantId: 'fields',
        keyId: 'key_f',
        provider: 'cohere',
        model: 'command-r',
        inputTokens: 11,
        outputTokens: 12,
        cachedInputTokens: 13,
        cacheWriteTokens: 14,
        reasoningTokens: 15,
        costNano: 16,
        estimated: true,
        priced: false,
        status: 499,
        tags: ['a=1', 'b=2'],
      }),
    ]);

    const row = await db
      .selectFrom('usage_records')
      .selectAll()
      .where('trace_id', '=', 'trace-every-field')
      .executeTakeFirstOrThrow();
    expect({ ...row, created_at: Number(row.created_at) }).toEqual({
      created_at: at,
      trace_id: 'trace-every-field',
      tenant_id: 'fields',
      key_id: 'key_f',
      provider: 'cohere',
      model: 'command-r',
      input_tokens: 11,
      output_tokens: 12,
      cached_input_tokens: 13,
      cache_write_tokens: 14,
      reasoning_tokens: 15,
      cost_nusd: 16,
      estimated: 1,
      priced: 0,
      status: 499,
      tags: 'a=1,b=2',
    });
    const tags = await db
      .selectFrom('usage_record_tags')
      .selectAll()
      .where('tenant_id', '=', 'fields')
      .orderBy('tag')
      .execute();
    expect(tags.map((t) => ({ ...t, created_at: Number(t.created_at) }))).toEqual(
      ['a=1', 'b=2'].map((tag) => ({
        created_at: at,
        tenant_id: 'fields',
        key_id: 'key_f',
        provider: 'cohere',
        model: 'command-r',
        input_tokens: 11,
        output_tokens: 12,
        cached_input_tokens: 13,
        cost_nusd: 16,
        estimated: 1,
        priced: 0,
        tag,
      })),
    );
  });

  it('sums whole hours from the hourly rows and the edges from the raw records alike', async () => {
    const from = DAY0 + 5 * 60_000; // mid-hour: the first hour is partly raw
    const to = DAY0 + 2 * HOUR + 45 * 60_000; // mid-hour again
    const report = await usage.report({ from, to, groupBy: ['model'] });
    expect(report.rows).toEqual([
      expect.objectContaining({ keys: { model: 'gpt-4o' }, requests: 3, costNano: 3_000 }),
      expect.objectContaining({ keys: { model: 'gpt-4o-mini' }, requests: 1, unpricedRequests: 1 }),
    ]);
    expect(report.total).toMatchObject({
      requests: 4,
      inputTokens: 400,
      outputTokens: 40,
      cachedInputTokens: 20,
      estimatedRequests: 1,
      unpricedRequests: 1,
    });
    const aligned = await usage.report({ from: DAY0, to: DAY0 + 3 * HOUR, groupBy: [] });
    expect(aligned.total.requests).toBe(4);
  });

  it('groups by tag (a call in each of its tags), key, tenant, provider and day, with filters', async () => {
    const byTag = await usage.report({ from: DAY0, to: DAY0 + 2 * 86_400_000, groupBy: ['tag'] });
    expect(byTag.rows.map((r) => [r.keys.tag, r.requests])).toEqual([
      ['env=prod', 1],
      ['team=search', 2],
    ]);
    expect(byTag.total.requests).toBe(5);
    const byDay = await usage.report({
      from: DAY0,
      to: DAY0 + 2 * 86_400_000,
      groupBy: ['tenant', 'provider', 'day'],
    });
    expect(byDay.rows.map((r) => [r.keys.tenant, r.keys.provider, r.keys.day, r.requests])).toEqual(
      [
        ['acme', 'openai', '2026-12-07', 4],
        ['other', 'anthropic', '2026-12-08', 1],
      ],
    );
    const keyless = await usage.report({
      from: DAY0,
      to: DAY0 + 86_400_000,
      tenantId: 'acme',
      keyId: '',
      groupBy: ['key'],
    });
    expect(keyless.rows).toEqual([expect.objectContaining({ keys: { key: '' }, requests: 1 })]);
  });

  it('gives a budget its period spend from the hourly sums, per tenant or per key', async () => {
    const day = { start: DAY0, end: DAY0 + 86_400_000 };
    expect(await usage.spentNano({ tenantId: 'acme', keyId: null }, day.start, day.end)).toBe(
      3_000,
    );
    expect(await usage.spentNano({ tenantId: 'acme', keyId: 'key_a' }, day.start, day.end)).toBe(
      2_000,
    );
    expect(await usage.spentNano({ tenantId: 'nobody', keyId: null }, day.start, day.end)).toBe(0);
  });

  it('stores budgets and prices, each write advancing the metering version', async () => {
    const budgets = new KyselyBudgetRepository(db);
    const prices = new KyselyPricingRepository(db);
    const before = await budgets.version();
    await budgets.insert({
      id: 'b1',
      tenantId: 'acme',
      keyId: null,
      period: 'week',
      limitUsd: 12.5,
      softLimitPct: 75,
      enabled: true,
      source: 'api',
    });
    await prices.upsert({ provider: 'openai', model: 'gpt-4o*', price: { input: 1, output: 2 } });
    await prices.upsert({
      provider: 'openai',
      model: 'gpt-4o*',
      price: { input: 3, output: 4, cachedInput: 0.5 },
    });
    expect(await budgets.version()).toBe(before + 3);
    expect(await budgets.get('b1')).toMatchObject({
      limitUsd: 12.5,
      period: 'week',
      enabled: true,
    });
    expect(await prices.list()).toEqual([
      expect.objectContaining({
        model: 'gpt-4o*',
        price: { input: 3, output: 4, cachedInput: 0.5 },
      }),
    ]);
    await expect(
      budgets.insert({
        id: 'b1',
        tenantId: 'acme',
        keyId: null,
        period: 'day',
        limitUsd: 1,
        softLimitPct: 80,
        enabled: true,
        source: 'api',
      }),
    ).rejects.toMatchObject({ code: 'budget_exists' });
  });

  it('still stores a batch flushed after shutdown began (through the gateway connection)', async () => {
    await usage.onApplicationShutdown();
    const at = DAY0 + 5 * 86_400_000;
    await usage.insert([record(at, { tenantId: 'late', traceId: 'trace-late' })]);
    const rows = await db
      .selectFrom('usage_records')
      .select(['trace_id', 'tenant_id'])
      .where('tenant_id', '=', 'late')
      .execute();
    expect(rows).toEqual([{ trace_id: 'trace-late', tenant_id: 'late' }]);
  });
});
