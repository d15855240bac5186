// The README's benchmark table from several full runs: each cell the median of that figure over
// the runs given (bench/results/*.json, as `npm run bench` writes them), so that one run's slow
// column (separate processes, run minutes apart, differ by up to about 15% on this machine) does
// not decide the table. Prints the table in the README's layout, and the range of each
// throughput figure across the runs.
//
//   node bench/median-runs.mjs bench/results/<run 1>.json bench/results/<run 2>.json ...
import { readFileSync } from 'node:fs';
import { cpuMicrosPerRequest } from './cpu-per-request.mjs';

const COLUMNS = [
  ['reference', 'reference'],
  ['gateway', 'gateway (no key)'],
  ['gateway-auth', 'API key'],
  ['gateway-governed', 'governed'],
  ['gateway-governed-noaudit', 'audit off'],
  ['gateway-governed-pg', 'audit on PG'],
  ['gateway-governed-nopii', 'PII off'],
  ['gateway-governed-redact', 'PII REDACT'],
  ['gateway-governed-nometrics', 'metrics off'],
  ['gateway-governed-tracing', 'tracing on'],
];

const runs = process.argv.slice(2).map((file) => JSON.parse(readFileSync(file, 'utf8')).results);
if (runs.length === 0) {
  console.error('usage: node bench/median-runs.mjs <results.json> ...');
  process.exit(2);
}

const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return null;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
/** The median over the runs of `pick(result of target)`. */
const cell = (target, pick) => median(runs.map((results) => pick(results[target])));
const added = (target, pick) =>
  median(runs.map((results) => pick(results[target]) - pick(results.direct)));

const int = (x) => (x === null ? '-' : Math.round(x).toLocaleString('en-US'));
const plus = (x) => (x === null ? '-' : `${x >= 0 ? '+' : ''}${x.toFixed(2)}`);

const rows = [
  ['throughput, req/s, 50 conn.', (t) => int(cell(t, (r) => r?.throughput?.reqPerSec))],
  [
    'share of the reference',
    (t) => {
      const share = median(
        runs.map(
          (results) => results[t]?.throughput?.reqPerSec / results.reference.throughput.reqPerSec,
        ),
      );
      return share === null ? '-' : `${(100 * share).toFixed(1)}%`;
    },
  ],
  ['CPU per request, µs', (t) => int(cell(t, (r) => cpuMicrosPerRequest(r)))],
  ['added latency p50, 1 conn., ms', (t) => plus(added(t, (r) => r?.latency?.ms?.p50))],
  ['added latency p99, 1 conn., ms', (t) => plus(added(t, (r) => r?.latency?.ms?.p99))],
  ['time to first token p50, added', (t) => plus(added(t, (r) => r?.stream?.ttftMs?.p50))],
  [
    'RSS idle / under load / after',
    (t) =>
      [
        cell(t, (r) => r?.rssIdleMb),
        cell(t, (r) => r?.throughput?.rssUnderLoadMb?.max),
        cell(t, (r) => r?.rssAfterLoadMb),
      ]
        .map(int)
        .join('/'),
  ],
];

const header = ['', ...COLUMNS.map(([, label]) => label)];
const body = rows.map(([label, value]) => [label, ...COLUMNS.map(([target]) => value(target))]);
const widths = header.map((_, i) => Math.max(...[header, ...body].map((row) => row[i].length)));
const line = (row) => `| ${row.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
console.log(`medians of ${runs.length} runs`);
console.log(line(header));
console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
for (const row of body) console.log(line(row));
console.log('\nthroughput across the runs, req/s (min-max):');
for (const [target, label] of COLUMNS) {
  const all = runs.map((results) => results[target]?.throughput?.reqPerSec).filter(Boolean);
  if (all.length > 0) {
    console.log(`  ${label}: ${int(Math.min(...all))}-${int(Math.max(...all))}`);
  }
}
