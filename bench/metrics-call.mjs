// The per-call cost of Prometheus metrics (issue 14): `CallMetricsObserver.callSettled` from dist/
// on a governed-lane call (tenant, answered by openai/gpt-4o-mini, 200, priced usage, 20 policy
// verdicts that decided nothing, PII scanned with nothing found), and the same mix with a share of
// refusals and failures. Each call gets a fresh context whose strings come from JSON.parse, as a
// parsed request's do. CPU is this thread's own (/proc/self/task/<tid>/stat), so other load on the
// machine lengthens a round but adds little to its figure.
//
//   node bench/metrics-call.mjs [--calls 200000] [--rounds 5]
//
// Figures: µs of CPU per settled call, median of the rounds (and range); the exposition's digest
// at the end, so two builds driven with the same calls can be compared for identical output.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const DIST =
  process.env.BENCH_DIST || join(dirname(dirname(fileURLToPath(import.meta.url))), 'dist');
const CLK_TCK = 100;
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const CALLS = arg('calls', 200_000);
const ROUNDS = arg('rounds', 5);

const load = (p) => import(pathToFileURL(join(DIST, p)).href);
const { GatewayMetrics } = await load('observability/metrics/gateway.metrics.js');
const { CallMetricsObserver } = await load('observability/metrics/call-metrics.observer.js');

function threadCpuMicros() {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLK_TCK;
}

const config = { server: { workers: 1 }, metrics: { maxLabelValues: 200, labelLimits: {} } };
const metrics = new GatewayMetrics(config);
const settlement = { observe() {} };
const costing = { costOf: (context) => context.cost };
const observer = new CallMetricsObserver(settlement, costing, metrics);

const TENANT = { id: 'bench', region: null, tags: {}, settings: {} };
const VERDICT = JSON.stringify({ decision: 'ALLOW', matched: [] });
const BODY = JSON.stringify({ model: 'gpt-4o-mini', provider: 'openai' });

/** The bench's call: answered, priced, policies evaluated (nothing decided), PII scanned. */
let seq = 0;
function answered() {
  const body = JSON.parse(BODY);
  const policies = [];
  for (let i = 0; i < 2; i++)
    policies.push({ mode: 'enforce', at: 'request', verdict: JSON.parse(VERDICT) });
  return [
    {
      tenant: TENANT,
      answeredBy: { provider: body.provider, model: body.model },
      facts: { model: body.model, toolNames: [], stream: false },
      policies,
      piiAction: 'redact',
      piiRequest: {},
      piiResponse: {},
      cost: { nano: 1234, priced: true, usage: { inputTokens: 23, outputTokens: 9 } },
    },
    { status: 200, latencyMs: 3.2 + (seq++ % 97) / 7 },
  ];
}

/** A mix: every 10th call refused or failed, some streams, some PII found, a shadow rule deciding. */
function mixed(i) {
  const [context, outcome] = answered();
  if (i % 10 === 3) {
    context.answeredBy = undefined;
    context.cost = undefined;
    outcome.status = 429;
    outcome.error = {
      code: 'rate_limit_exceeded',
      details: { rate_limit: { scope: 'tenant', limited_resource: 'requests' } },
    };
  } else if (i % 10 === 7) {
    outcome.status = 200;
    outcome.error = { code: 'upstream_error', provider: 'openai' };
  } else if (i % 10 === 5) {
    context.ttftMs = 40 + (i % 50);
    context.piiRequest = { EMAIL: 1 + (i % 3) };
    context.policies.push({
      mode: 'shadow',
      at: 'request',
      verdict: { decision: 'DENY', matched: [{ policyId: 'p', ruleId: `r${i % 4}` }] },
    });
  }
  if (i % 1000 === 11) context.tenant = { ...TENANT, id: `t${i}` };
  return [context, outcome];
}

function round(make, calls) {
  const inputs = [];
  for (let i = 0; i < calls; i++) inputs.push(make(i));
  const start = threadCpuMicros();
  for (const [context, outcome] of inputs) observer.callSettled(context, outcome);
  return (threadCpuMicros() - start) / calls;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [name, make] of [
  ['governed lane call', answered],
  ['mix (refusals, failures, streams, PII, shadow rules)', mixed],
]) {
  round(make, 20_000);
  const figures = [];
  for (let r = 0; r < ROUNDS; r++) figures.push(round(make, CALLS));
  const f = (x) => x.toFixed(2);
  console.log(
    `${name}: ${f(median(figures))} µs per call (${f(Math.min(...figures))}-${f(Math.max(...figures))})`,
  );
}
// The process and Node metrics vary from run to run: the digest covers the gateway's own.
const text = (await metrics.registry.metrics())
  .split('\n')
  .filter((l) => !/^(# (HELP|TYPE) )?(process_|nodejs_)/.test(l))
  .join('\n');
const digest = createHash('sha256').update(text).digest('hex').slice(0, 16);
console.log(`exposition digest (gateway_* series, ${text.length} characters): ${digest}`);
