import { type RawBuilder, sql } from 'kysely';
import type { GatewayDatabase } from './database.types.js';
import type {
  SpendGroup,
  SpendQuery,
  SpendReport,
  SpendRow,
  SpendSums,
} from './usage.repository.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Where sums come from: daily rows for whole days, hourly rows for whole hours, else raw. */
type Source = 'daily' | 'hourly' | 'raw';

interface Slice {
  readonly source: Source;
  readonly from: number;
  readonly to: number;
}

/**
 * A spend report (contract 11.2). Whole UTC days in the range are read from the daily sums, the
 * whole hours at either edge from the hourly sums, and the partial hours from the raw records
 * (through their time index), so a month of 10M calls costs tens of thousands of rows, not
 * millions. Rows of every slice are merged here by their group keys; the total is computed the
 * same way without tags, so a call with several tags counts once in it.
 */
export async function spendReport(db: GatewayDatabase, query: SpendQuery): Promise<SpendReport> {
  const slices = slicesOf(query.from, query.to);
  const tagged = query.groupBy.includes('tag');
  // Slices are independent: read them at once (the pool has connections to spare). Without tag
  // rows, the total is the sum of the rows; with them, it is read from the untagged sums.
  const [grouped, totals] = await Promise.all([
    Promise.all(slices.map((slice) => sums(db, slice, query, query.groupBy, tagged))),
    tagged
      ? Promise.all(slices.map((slice) => sums(db, slice, query, [], false)))
      : Promise.resolve(undefined),
  ]);
  const rows = new Map<string, SpendRow>();
  const total = emptySums();
  for (const row of grouped.flat()) {
    const id = query.groupBy.map((g) => row.keys[g] ?? '').join('\u0000');
    const into = rows.get(id);
    if (into === undefined) rows.set(id, { ...row });
    else addSums(into, row);
  }
  for (const row of totals?.flat() ?? grouped.flat()) addSums(total, row);
  const sorted = [...rows.values()].sort((a, b) => compareKeys(a, b, query.groupBy));
  return { rows: sorted, total };
}

function slicesOf(from: number, to: number): Slice[] {
  if (to <= from) return [];
  const firstDay = Math.ceil(from / DAY_MS) * DAY_MS;
  const lastDay = Math.floor(to / DAY_MS) * DAY_MS;
  if (firstDay >= lastDay) return hourSlices(from, to);
  return [
    { source: 'daily', from: firstDay, to: lastDay },
    ...hourSlices(from, firstDay),
    ...hourSlices(lastDay, to),
  ];
}

function hourSlices(from: number, to: number): Slice[] {
  if (to <= from) return [];
  const firstHour = Math.ceil(from / HOUR_MS) * HOUR_MS;
  const lastHour = Math.floor(to / HOUR_MS) * HOUR_MS;
  if (firstHour >= lastHour) return [{ source: 'raw', from, to }];
  const slices: Slice[] = [{ source: 'hourly', from: firstHour, to: lastHour }];
  if (from < firstHour) slices.push({ source: 'raw', from, to: firstHour });
  if (lastHour < to) slices.push({ source: 'raw', from: lastHour, to });
  return slices;
}

async function sums(
  db: GatewayDatabase,
  slice: Slice,
  query: SpendQuery,
  groupBy: readonly SpendGroup[],
  tagged: boolean,
): Promise<SpendRow[]> {
  const rollup = slice.source !== 'raw';
  const table = rollup
    ? `usage_${slice.source}${tagged ? '_tags' : ''}`
    : tagged
      ? 'usage_record_tags'
      : 'usage_records';
  const time = sql.ref(rollup ? 'bucket' : 'created_at');
  const keyExpr = rollup ? sql.ref('key_id') : sql`coalesce(key_id, '')`;
  const columns: Record<SpendGroup, RawBuilder<unknown>> = {
    tenant: sql`${sql.ref('tenant_id')}`,
    key: sql`${keyExpr}`,
    model: sql`${sql.ref('model')}`,
    provider: sql`${sql.ref('provider')}`,
    tag: sql`${sql.ref('tag')}`,
    day: sql`(${time} / ${sql.lit(DAY_MS)})`,
  };
  const measures = rollup
    ? sql`cast(sum(requests) as bigint) as requests,
        cast(sum(estimated_requests) as bigint) as estimated_requests,
        cast(sum(unpriced_requests) as bigint) as unpriced_requests`
    : sql`cast(count(*) as bigint) as requests,
        cast(sum(estimated) as bigint) as estimated_requests,
        cast(sum(1 - priced) as bigint) as unpriced_requests`;
  const where: RawBuilder<unknown>[] = [sql`${time} >= ${slice.from}`, sql`${time} < ${slice.to}`];
  if (query.tenantId !== undefined) where.push(sql`tenant_id = ${query.tenantId}`);
  if (query.keyId !== undefined) where.push(sql`${keyExpr} = ${query.keyId}`);
  const selected = groupBy.map((g) => sql`${columns[g]} as ${sql.ref(`g_${g}`)}`);
  const grouped = groupBy.map((g) => columns[g]);
  const statement = sql<Record<string, unknown>>`select ${sql.join(
    [...selected, measures],
    sql`, `,
  )},
      cast(sum(input_tokens) as bigint) as input_tokens,
      cast(sum(output_tokens) as bigint) as output_tokens,
      cast(sum(cached_input_tokens) as bigint) as cached_input_tokens,
      cast(sum(cost_nusd) as bigint) as cost_nusd
    from ${sql.table(table)}
    where ${sql.join(where, sql` and `)}
    ${grouped.length > 0 ? sql`group by ${sql.join(grouped, sql`, `)}` : sql``}`;
  const result = await statement.execute(db);
  return result.rows
    .filter((row) => Number(row.requests ?? 0) > 0)
    .map((row) => ({
      keys: Object.fromEntries(groupBy.map((g) => [g, keyValue(g, row[`g_${g}`])])),
      requests: Number(row.requests),
      inputTokens: Number(row.input_tokens ?? 0),
      outputTokens: Number(row.output_tokens ?? 0),
      cachedInputTokens: Number(row.cached_input_tokens ?? 0),
      costNano: Number(row.cost_nusd ?? 0),
      estimatedRequests: Number(row.estimated_requests ?? 0),
      unpricedRequests: Number(row.unpriced_requests ?? 0),
    }));
}

function keyValue(group: SpendGroup, value: unknown): string {
  if (group !== 'day') return typeof value === 'string' ? value : '';
  return new Date(Math.floor(Number(value)) * DAY_MS).toISOString().slice(0, 10);
}

export function emptySums(): SpendSums {
  return {
    requests: 0,
    inputTokens: 0,
    outputTokens: 0,
    cachedInputTokens: 0,
    costNano: 0,
    estimatedRequests: 0,
    unpricedRequests: 0,
  };
}

function addSums(into: SpendSums, row: SpendSums): void {
  into.requests += row.requests;
  into.inputTokens += row.inputTokens;
  into.outputTokens += row.outputTokens;
  into.cachedInputTokens += row.cachedInputTokens;
  into.costNano += row.costNano;
  into.estimatedRequests += row.estimatedRequests;
  into.unpricedRequests += row.unpricedRequests;
}

function compareKeys(a: SpendRow, b: SpendRow, groupBy: readonly SpendGroup[]): number {
  for (const g of groupBy) {
    const x = a.keys[g] ?? '';
    const y = b.keys[g] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
