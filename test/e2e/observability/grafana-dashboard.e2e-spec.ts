import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type GatewayUnderTest, startGateway } from '../../helpers/gateway-harness.js';
import { parsePrometheusText } from '../../helpers/prometheus-text.js';
import { metricNamesIn } from '../../helpers/promql-names.js';

const DASHBOARD = resolve('deploy/grafana/llm-gateway-dashboard.json');

interface Panel {
  readonly title?: string;
  readonly type: string;
  readonly targets?: readonly { readonly expr: string }[];
  readonly panels?: readonly Panel[];
}

/** Every PromQL expression of the dashboard: panel targets (rows' too) and variable queries. */
function expressions(dashboard: any): { where: string; expr: string }[] {
  const found: { where: string; expr: string }[] = [];
  const visit = (panel: Panel) => {
    for (const target of panel.targets ?? [])
      found.push({ where: `panel '${panel.title}'`, expr: target.expr });
    for (const inner of panel.panels ?? []) visit(inner);
  };
  for (const panel of dashboard.panels as Panel[]) visit(panel);
  for (const variable of dashboard.templating.list) {
    if (variable.type !== 'query') continue;
    const query = typeof variable.query === 'string' ? variable.query : variable.query.query;
    found.push({ where: `variable '${variable.name}'`, expr: query });
  }
  return found;
}

/** The sample names a scrape exports, histograms' `_bucket`, `_sum` and `_count` included. */
async function exportedNames(gw: GatewayUnderTest): Promise<Set<string>> {
  const scrape = parsePrometheusText(await fetch(`${gw.url}/metrics`).then((r) => r.text()));
  const names = new Set(scrape.samples.map((s) => s.name));
  for (const [family, type] of scrape.types) {
    if (type === 'histogram')
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(family + suffix);
    else if (type === 'summary')
      for (const suffix of ['', '_sum', '_count']) names.add(family + suffix);
    else names.add(family);
  }
  return names;
}

/** The Grafana dashboard shipped in deploy/grafana reads only metrics the gateway exports. */
describe('Grafana dashboard', () => {
  let gw: GatewayUnderTest;
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8'));

  beforeAll(async () => {
    gw = await startGateway({ env: { MOCK_PROVIDER_ENABLED: 'true' } });
  });
  afterAll(async () => {
    await gw.close();
  });

  it('finds the metric names of PromQL expressions', () => {
    expect(
      metricNamesIn(
        'histogram_quantile(0.95, sum by (le, model) (rate(gateway_request_duration_seconds_bucket{provider!="", model=~"$model"}[$__rate_interval])))',
      ),
    ).toEqual(['gateway_request_duration_seconds_bucket']);
    expect(
      metricNamesIn('sum(rate(a_total{code!=""}[5m])) / sum(rate(b_total[5m])) * 3600'),
    ).toEqual(['a_total', 'b_total']);
    expect(metricNamesIn('label_values(gateway_requests_total, tenant)')).toEqual([
      'gateway_requests_total',
    ]);
  });

  it('uses in every expression only metric names a running gateway exports', async () => {
    const exported = await exportedNames(gw);
    const unknown: string[] = [];
    const used = new Set<string>();
    for (const { where, expr } of expressions(dashboard)) {
      const names = metricNamesIn(expr);
      expect(names.length).toBeGreaterThan(0);
      for (const name of names) {
        used.add(name);
        if (!exported.has(name)) unknown.push(`${where}: ${name}`);
      }
    }
    expect(unknown).toEqual([]);
    // It shows what operators need: traffic, latency, TTFT, tokens, cost, refusals, breakers, audit.
    for (const name of [
      'gateway_requests_total',
      'gateway_request_duration_seconds_bucket',
      'gateway_time_to_first_token_seconds_bucket',
      'gateway_tokens_total',
      'gateway_cost_usd_total',
      'gateway_rate_limited_total',
      'gateway_budget_utilization_ratio',
      'gateway_circuit_state',
      'gateway_audit_queue_depth',
      'gateway_pii_findings_total',
      'gateway_policy_decisions_total',
      'gateway_provider_errors_total',
    ]) {
      expect(used).toContain(name);
    }
  });

  it('is an importable dashboard: a Prometheus datasource variable, unique panel ids, targets with refIds', () => {
    expect(dashboard.uid).toBe('llm-gateway');
    const datasource = dashboard.templating.list.find((v: any) => v.type === 'datasource');
    expect(datasource.query).toBe('prometheus');
    const ids = dashboard.panels.map((p: any) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of dashboard.panels.filter((p: any) => p.type !== 'row')) {
      expect(panel.datasource.uid).toBe('${datasource}');
      for (const target of panel.targets) expect(target.refId).toMatch(/^[A-Z]$/);
    }
  });
});
