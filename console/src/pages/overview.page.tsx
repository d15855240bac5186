import { useMemo, useState } from 'preact/hooks';
import { query } from '../lib/admin-api';
import { useApi } from '../lib/api-context';
import type { Activity, ActivitySums } from '../lib/api-types';
import { count, usd } from '../lib/format';
import { useLoad } from '../lib/use-load';
import { Notice } from '../components/notice';
import { TimeChart } from '../components/time-chart';

const RANGES = [
  { id: 'hour', label: 'Last hour', ms: 3_600_000, bucket: 'minute' },
  { id: 'day', label: 'Last 24 hours', ms: 86_400_000, bucket: 'hour' },
  { id: 'week', label: 'Last 7 days', ms: 7 * 86_400_000, bucket: 'hour' },
  { id: 'month', label: 'Last 30 days', ms: 30 * 86_400_000, bucket: 'day' },
] as const;

/** Requests, errors, tokens and spend over time; the busiest tenants and models. */
export function OverviewPage() {
  const api = useApi();
  const [rangeId, setRangeId] = useState<string>('hour');
  const range = RANGES.find((item) => item.id === rangeId) ?? RANGES[0];
  const activity = useLoad(() => {
    const to = Date.now();
    return api.get<Activity>(
      `/v1/admin/activity${query({
        from: new Date(to - range.ms).toISOString(),
        to: new Date(to).toISOString(),
        bucket: range.bucket,
      })}`,
    );
  }, [range.id]);
  const data = activity.data;
  const charts = useMemo(() => {
    if (!data) return null;
    const times = data.series.map((point) => Date.parse(point.start) / 1000);
    const pick = (name: keyof ActivitySums) => data.series.map((point) => point[name]);
    return {
      times,
      calls: [
        { label: 'Requests', values: pick('requests'), color: '#0b57d0', format: count },
        { label: 'Errors', values: pick('errors'), color: '#b3261e', format: count },
      ],
      tokens: [
        { label: 'Input tokens', values: pick('input_tokens'), color: '#1b6e2e', format: count },
        { label: 'Output tokens', values: pick('output_tokens'), color: '#8a5300', format: count },
      ],
      spend: [{ label: 'Spend (USD)', values: pick('cost_usd'), color: '#6a1b9a', format: usd }],
    };
  }, [data]);

  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      <div class="form-row">
        <div>
          <label for="overview-range">Period</label>
          <select
            id="overview-range"
            value={rangeId}
            onChange={(event) => setRangeId(event.currentTarget.value)}
          >
            {RANGES.map((item) => (
              <option value={item.id} key={item.id}>
                {item.label}
              </option>
            ))}
          </select>
        </div>
        <div>
          <button type="button" class="secondary" onClick={activity.reload}>
            Refresh
          </button>
        </div>
      </div>
      {activity.error && <Notice kind="error">{activity.error}</Notice>}
      {data && (
        <>
          <div class="cards" aria-label="Totals for the period">
            <Card label="Requests" value={count(data.total.requests)} />
            <Card label="Errors" value={count(data.total.errors)} />
            <Card
              label="Tokens"
              value={count(data.total.input_tokens + data.total.output_tokens)}
            />
            <Card label="Spend" value={usd(data.total.cost_usd)} />
          </div>
          {data.truncated && (
            <Notice kind="info">
              This period holds more calls than one view reads: the oldest are not counted.
            </Notice>
          )}
          {charts && (
            <div class="charts">
              <TimeChart title="Requests and errors" times={charts.times} series={charts.calls} />
              <TimeChart title="Tokens" times={charts.times} series={charts.tokens} />
              <TimeChart title="Spend" times={charts.times} series={charts.spend} />
            </div>
          )}
          <div class="grid-2">
            <Ranking title="Top tenants" rows={data.top_tenants} />
            <Ranking title="Top models" rows={data.top_models} />
          </div>
        </>
      )}
      {activity.loading && !data && <p>Loading…</p>}
    </section>
  );
}

function Card({ label, value }: { label: string; value: string }) {
  return (
    <div class="card">
      <div>{label}</div>
      <div class="value">{value}</div>
    </div>
  );
}

function Ranking({
  title,
  rows,
}: {
  title: string;
  rows: ReadonlyArray<ActivitySums & { name: string }>;
}) {
  return (
    <div>
      <h2>{title}</h2>
      {rows.length === 0 ? (
        <p>No calls in this period.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col" class="num">
                  Requests
                </th>
                <th scope="col" class="num">
                  Errors
                </th>
                <th scope="col" class="num">
                  Spend
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.name}>
                  <td>{row.name}</td>
                  <td class="num">{count(row.requests)}</td>
                  <td class="num">{count(row.errors)}</td>
                  <td class="num">{usd(row.cost_usd)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
