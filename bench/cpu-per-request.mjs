// CPU per request: the target process's CPU time (every thread: the request thread, libuv's, V8's,
// the audit writer's worker) over the measured throughput run, divided by the requests answered in
// it. Unlike req/s it does not fall when another process takes the core, so it is the steadier
// figure on a loaded machine (preemption and cache pressure still inflate it somewhat). For the
// governed lane the bench sets the variants side by side: audit off / on (SQLite, PostgreSQL),
// metrics off / on, tracing on.

/** µs of the target's CPU per answered request in the measured throughput run; null without. */
export function cpuMicrosPerRequest(r) {
  const t = r?.throughput;
  const busy = t?.cpu?.targetProcessPercent;
  if (!t?.reqPerSec || !busy) return null;
  return (1e6 * (busy / 100)) / t.reqPerSec;
}

/**
 * µs of the target's main thread (the request thread) per answered request: what a request costs
 * where the worker threads (the audit writer) have a core of their own.
 */
export function mainThreadMicrosPerRequest(r) {
  const t = r?.throughput;
  const busy = t?.cpu?.targetMainThreadPercent;
  if (!t?.reqPerSec || !busy) return null;
  return (1e6 * (busy / 100)) / t.reqPerSec;
}

/** [target, what differs from the governed lane's defaults (audit on SQLite, metrics on)]. */
const GOVERNED = [
  ['gateway-governed-noaudit', 'audit off'],
  ['gateway-governed', 'audit on (SQLite), metrics on: the governed lane'],
  ['gateway-governed-pg', 'audit on PostgreSQL'],
  ['gateway-governed-nometrics', 'metrics off'],
  ['gateway-governed-tracing', 'tracing on'],
];

export function cpuPerRequest(results) {
  const base = cpuMicrosPerRequest(results['gateway-governed']);
  const rows = [];
  for (const [key, label] of GOVERNED) {
    const micros = cpuMicrosPerRequest(results[key]);
    if (micros === null) continue;
    rows.push({
      target: key,
      label,
      micros,
      mainThreadMicros: mainThreadMicrosPerRequest(results[key]),
      vsGovernedMicros: base === null ? null : micros - base,
    });
  }
  if (rows.length < 2) return null;
  return { governedMicros: base, rows };
}

export function cpuPerRequestLines(report) {
  const cost = report.cpuPerRequest ?? cpuPerRequest(report.results);
  if (!cost) return [];
  const int = (n) => Math.round(n).toLocaleString('en-US');
  const lines = [
    'CPU per request, governed lane: the target process (all threads) over the measured ' +
      'throughput run, µs per answered request (steadier than req/s when other processes load the machine)',
  ];
  for (const row of cost.rows) {
    const delta =
      row.target === 'gateway-governed' || row.vsGovernedMicros === null
        ? ''
        : ` (${row.vsGovernedMicros >= 0 ? '+' : ''}${int(row.vsGovernedMicros)} vs the governed lane)`;
    const main =
      row.mainThreadMicros === null || row.mainThreadMicros === undefined
        ? ''
        : `; request thread ${int(row.mainThreadMicros)} µs`;
    lines.push(`  ${row.label}: ${int(row.micros)} µs${delta}${main}`);
  }
  return lines;
}
