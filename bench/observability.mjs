// The cost of observability on the governed lane (issue 14): the governed gateway (metrics on, the
// default; tracing off) against the same gateway with metrics off, and with tracing on, exporting
// to a loopback OTLP/HTTP sink the bench starts. Each is its own process and run, so the drift
// between runs is in the figures. Also the checks that each variant really is what it says.
import { createServer } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';

/** Issue 14's target: metrics cost the governed lane under 3% of its throughput. */
export const METRICS_COST_LIMIT_PERCENT = 3;

/** The OTEL_* variables the gateway reads: none is inherited from the caller's environment. */
const OTEL_PREFIX = 'OTEL_';

/**
 * The gateway's environment for one observability variant: metrics on or off, and tracing only
 * when `otlpEndpoint` is given (every inherited OTEL_* variable is dropped first).
 */
export function observabilityEnv(env, { metrics = true, otlpEndpoint } = {}) {
  const out = Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith(OTEL_PREFIX)));
  out.GATEWAY_METRICS_ENABLED = metrics ? 'true' : 'false';
  out.GATEWAY_METRICS_TOKEN = '';
  if (otlpEndpoint) out.OTEL_EXPORTER_OTLP_ENDPOINT = otlpEndpoint;
  return out;
}

/**
 * A collector stand-in on loopback: answers 200 to POST /v1/traces without decoding, counts the
 * export requests and their bytes. Runs in the orchestrator's process (on the load core).
 */
export function startOtlpSink() {
  const stats = { exports: 0, bytes: 0, other: 0, contentTypes: {} };
  const server = createServer((req, res) => {
    let bytes = 0;
    req.on('data', (c) => {
      bytes += c.length;
    });
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        stats.other++;
        res.writeHead(404).end();
        return;
      }
      stats.exports++;
      stats.bytes += bytes;
      const type = String(req.headers['content-type'] ?? 'none');
      stats.contentTypes[type] = (stats.contentTypes[type] ?? 0) + 1;
      res.writeHead(200, { 'content-type': type }).end();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () =>
      resolve({
        origin: `http://127.0.0.1:${server.address().port}`,
        stats,
        close: () => new Promise((done) => server.close(() => done())),
      }),
    );
  });
}

/** Metrics on: GET /metrics serves gateway_requests_total; off: it answers 404. */
export async function checkMetrics(name, origin, enabled) {
  const r = await request(`${origin}/metrics`);
  const text = await r.body.text();
  const ok = enabled
    ? r.statusCode === 200 && text.includes('gateway_requests_total')
    : r.statusCode === 404;
  if (!ok) {
    throw new Error(
      `${name}: GET /metrics answered ${r.statusCode} ${text.slice(0, 200)} ` +
        `(expected ${enabled ? '200 with gateway_requests_total' : '404: metrics off'})`,
    );
  }
  return enabled ? 'on (GET /metrics 200)' : 'off (GET /metrics 404)';
}

/**
 * Tracing on: the checks' calls must reach the sink as OTLP exports (the batch span processor
 * sends every OTEL_BSP_SCHEDULE_DELAY, 5 s by default), else the variant measures nothing.
 */
export async function checkTracingExports(name, sink, timeoutS = 12) {
  const deadline = Date.now() + timeoutS * 1000;
  while (sink.stats.exports === 0 && Date.now() < deadline) await sleep(100);
  if (sink.stats.exports === 0) {
    throw new Error(
      `${name}: no OTLP export reached the sink at ${sink.origin}/v1/traces within ${timeoutS} s: is tracing on?`,
    );
  }
  return { ...sink.stats, contentTypes: { ...sink.stats.contentTypes } };
}

/** Requests per CPU-second of the target: fairer than req/s when other processes take its core. */
function perCpuSecond(r) {
  const busy = r.throughput?.cpu?.targetProcessPercent;
  return busy ? r.throughput.reqPerSec / (busy / 100) : null;
}

const VARIANTS = [
  ['gateway-governed-nometrics', 'metrics', 'metrics off'],
  ['gateway-governed-tracing', 'tracing', 'tracing on, OTLP/HTTP to a loopback sink'],
];

/**
 * Costs against the governed lane (metrics on, tracing off). Metrics: what turning them off
 * saves, as a share of the metrics-off throughput; tracing: what turning it on costs, as a share
 * of the governed throughput. Positive = the feature costs throughput.
 */
export function observabilityCost(results) {
  const gov = results['gateway-governed'];
  if (!gov?.throughput) return null;
  const out = { baseline: 'gateway-governed', baselineReqPerSec: gov.throughput.reqPerSec };
  for (const [key, feature, label] of VARIANTS) {
    const r = results[key];
    if (!r?.throughput) continue;
    const [on, off] = feature === 'metrics' ? [gov, r] : [r, gov];
    const p50 = (x) => x.latency?.ms.p50;
    const [onCpu, offCpu] = [perCpuSecond(on), perCpuSecond(off)];
    out[feature] = {
      target: key,
      label,
      reqPerSec: r.throughput.reqPerSec,
      costPercent:
        (100 * (off.throughput.reqPerSec - on.throughput.reqPerSec)) / off.throughput.reqPerSec,
      perCpuSecond: perCpuSecond(r),
      costPerCpuSecondPercent: onCpu && offCpu ? (100 * (offCpu - onCpu)) / offCpu : null,
      p50AddedMs: p50(on) !== undefined && p50(off) !== undefined ? p50(on) - p50(off) : null,
      ...(feature === 'tracing' ? { sink: r.otlpSink ?? null } : {}),
    };
  }
  return out.metrics || out.tracing ? out : null;
}

/** The metrics target holds only if both the req/s and the per-CPU-second figures are under it. */
export function metricsCostMet(m) {
  return [m.costPercent, m.costPerCpuSecondPercent ?? m.costPercent].every(
    (c) => c < METRICS_COST_LIMIT_PERCENT,
  );
}

export function observabilityLines(report) {
  const cost = report.observabilityCost ?? observabilityCost(report.results);
  if (!cost) return [];
  const int = (n) => Math.round(n).toLocaleString('en-US');
  const signed = (n, d = 1) => `${n >= 0 ? '+' : ''}${n.toFixed(d)}`;
  const perCpu = (v) =>
    v.costPerCpuSecondPercent == null
      ? ''
      : `; per CPU-second of the target ${signed(v.costPerCpuSecondPercent)}%`;
  const p50 = (v) => (v.p50AddedMs === null ? '' : `; p50 at 1 conn ${signed(v.p50AddedMs, 3)} ms`);
  const lines = [
    `observability: governed lane (metrics on, tracing off: ${int(cost.baselineReqPerSec)} req/s at ` +
      `${report.config.connections} connections) against each variant, separate processes and runs`,
  ];
  if (cost.metrics) {
    const m = cost.metrics;
    const verdict = metricsCostMet(m) ? 'ok' : 'OVER TARGET';
    lines.push(
      `  metrics: off ${int(m.reqPerSec)} req/s; metrics cost ${signed(m.costPercent)}%${perCpu(m)} ` +
        `(target under ${METRICS_COST_LIMIT_PERCENT}%, both: ${verdict})${p50(m)}`,
    );
  }
  if (cost.tracing) {
    const t = cost.tracing;
    const sink = t.sink
      ? `; sink: ${int(t.sink.exports)} exports, ${(t.sink.bytes / 2 ** 20).toFixed(1)} MB`
      : '';
    lines.push(
      `  tracing: on ${int(t.reqPerSec)} req/s; tracing costs ${signed(t.costPercent)}%${perCpu(t)}${p50(t)}${sink}`,
    );
  }
  const disturbed = ['gateway-governed', ...VARIANTS.map(([key]) => key)].some((key) => {
    const c = report.results[key]?.throughput?.cpu ?? {};
    return c.othersOnSutCpuPercent > 10 || c.othersOnLoadCpuPercent > 10;
  });
  if (disturbed) {
    lines.push(
      '  other processes took more than 10% of a measured core in these runs (see the notes): within noise',
    );
  }
  return lines;
}
