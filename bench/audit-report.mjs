// The audit trail's cost (issue 12): the governed gateway with its audit trail on (SQLite, and
// PostgreSQL when BENCH_POSTGRES_URL is set) against the same gateway with it off, each its own
// process and run (drift between them is in the figure), and the writer's batch figures.
// Separate runs on a shared machine differ by more than the target (5-10 points between runs of
// the same commit): the verdict is marked as one run's, and CPU per request, the steadier
// figure, is shown beside it. `node bench/audit-paired.mjs` settles the cost in paired rounds.
import { cpuMicrosPerRequest } from './cpu-per-request.mjs';

/** Issue 12's target: the audit stage costs the governed lane under 5% of its throughput. */
export const AUDIT_COST_LIMIT_PERCENT = 5;

const VARIANTS = [
  ['gateway-governed', 'audit on, SQLite'],
  ['gateway-governed-pg', 'audit on, PostgreSQL'],
];

export function auditCost(results) {
  const off = results['gateway-governed-noaudit'];
  if (!off?.throughput) return null;
  const base = off.throughput.reqPerSec;
  const out = { baseline: 'gateway-governed-noaudit', baselineReqPerSec: base, variants: {} };
  for (const [key, label] of VARIANTS) {
    const on = results[key];
    if (!on?.throughput) continue;
    const reqPerSec = on.throughput.reqPerSec;
    const cpuOn = cpuMicrosPerRequest(on);
    const cpuOff = cpuMicrosPerRequest(off);
    out.variants[key] = {
      label,
      reqPerSec,
      costPercent: (100 * (base - reqPerSec)) / base,
      cpuAddedMicros: cpuOn !== null && cpuOff !== null ? cpuOn - cpuOff : null,
      cpuAddedPercent: cpuOn !== null && cpuOff ? (100 * (cpuOn - cpuOff)) / cpuOff : null,
      p50AddedMs: on.latency && off.latency ? on.latency.ms.p50 - off.latency.ms.p50 : null,
      writer: on.audit ?? null,
    };
  }
  return out;
}

export function auditLines(report) {
  const cost = report.auditCost ?? auditCost(report.results);
  if (!cost) return [];
  const lines = [
    `audit trail: governed lane, throughput at ${report.config.connections} connections, against audit off ` +
      `(${Math.round(cost.baselineReqPerSec).toLocaleString('en-US')} req/s); target: under ${AUDIT_COST_LIMIT_PERCENT}% cost ` +
      `(one run each: settle it with node bench/audit-paired.mjs)`,
  ];
  for (const v of Object.values(cost.variants)) {
    const sign = v.costPercent >= 0 ? '+' : '';
    const verdict = `${v.costPercent < AUDIT_COST_LIMIT_PERCENT ? 'ok' : 'OVER TARGET'} in this run`;
    const cpu =
      v.cpuAddedMicros == null
        ? ''
        : `; CPU per request ${v.cpuAddedMicros >= 0 ? '+' : ''}${v.cpuAddedMicros.toFixed(0)} µs ` +
          `(${v.cpuAddedPercent >= 0 ? '+' : ''}${v.cpuAddedPercent.toFixed(1)}%)`;
    const w = v.writer;
    const writer = w
      ? `; writer: ${w.written.toLocaleString('en-US')} events in ${w.batches.toLocaleString('en-US')} batches ` +
        `(mean ${(w.written / Math.max(1, w.batches)).toFixed(1)}, largest ${w.largest_batch}), ` +
        `flush last ${w.last_flush_ms} ms / slowest ${w.slowest_flush_ms} ms, queue ${w.queue_depth}, refused ${w.refused}`
      : '';
    const p50 =
      v.p50AddedMs === null
        ? ''
        : `; p50 at 1 conn ${v.p50AddedMs >= 0 ? '+' : ''}${v.p50AddedMs.toFixed(3)} ms`;
    lines.push(
      `  ${v.label}: ${Math.round(v.reqPerSec).toLocaleString('en-US')} req/s, cost ${sign}${v.costPercent.toFixed(1)}% (${verdict})${cpu}${p50}${writer}`,
    );
  }
  return lines;
}
