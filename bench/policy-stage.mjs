// The policy stage's cost per call (docs/performance.md: "policy (20 rules) under 5 µs"): the 20
// non-matching rules of the governed lane (policies.mjs), compiled by the engine in dist/, then
// evaluated in a tight loop the way the gateway's policy stage does it for the bench's call.
//
//   node bench/policy-stage.mjs [--json] [--quick]     (build first: npx nest build)
//
// `npm run bench` runs it too (with --json, pinned alone on the system-under-test CPU). Figures,
// each the median of several timed runs (interleaved between the cases) after a warm-up, in µs
// per call:
//   request          the call's facts built (as the stage builds them, Date.now() included) and the
//                    20 rules evaluated before routing: evaluate(rules, facts)
//   request + target the above, then the per-target check of the target the router picks
//                    (openai, gpt-4o-mini): the rules that read the target, evaluate(targeted,
//                    facts, target), as the gateway's re-check does when the model is unchanged.
//                    What one call costs in the policy stage; the figure held to the 5 µs target.
//   request + full   the request, then all 20 rules again with the target (the re-check after a
//                    route mapping renamed the model): the upper bound of one target check.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MODEL } from './payloads.mjs';
import {
  BENCH_PROVIDER,
  BENCH_TENANT,
  DENIED_MODEL,
  policyEntry,
  POLICIES,
  PROBE_POLICY,
  PROBE_RULE_ID,
  RULE_COUNT,
} from './policies.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const DIST = join(dirname(BENCH_DIR), 'dist');
/** The performance.md target for 20 rules, per call. */
export const POLICY_STAGE_LIMIT_US = 5;
/** The bench's request: max_tokens 128, no tools (payloads.mjs). */
const MAX_TOKENS = 128;

async function importDist(path) {
  const file = join(DIST, path);
  if (!existsSync(file)) {
    throw new Error(`${file} is missing: build first (npx nest build, or npm run bench)`);
  }
  return import(pathToFileURL(file).href);
}

/** The provider ids the gateway knows (built-in ones; the bench names no custom provider). */
async function providerCatalog() {
  const { PROVIDER_CATALOG } = await importDist('providers/provider-catalog.js');
  const known = new Set(PROVIDER_CATALOG.map((d) => d.id));
  return { known, active: new Set([BENCH_PROVIDER]) };
}

/**
 * Compiles the governed lane's policies with the gateway's own compiler and checks what the lane
 * relies on: all 20 rules compile, none matches the bench's call (before routing or at its
 * target), and the probe rule denies the probe model. Throws otherwise.
 */
export async function compileBenchRules() {
  const { compilePolicy } = await importDist('governance/policy/dsl/policy.compiler.js');
  // The entry's own fields read as the gateway reads `gateway.policies` (tenant absent: global).
  const { parsePolicyEntry } = await importDist('governance/policy/dsl/policy-entry.parser.js');
  const { orderRules, evaluate } = await importDist('governance/policy/policy.evaluator.js');
  const catalog = await providerCatalog();
  const compile = (policy) => {
    try {
      return compilePolicy(parsePolicyEntry(policyEntry(policy)), catalog);
    } catch (err) {
      throw new Error(`policy ${policy.id} does not compile: ${err.message}`, { cause: err });
    }
  };
  const rules = orderRules(POLICIES.map(compile));
  if (rules.length !== RULE_COUNT || RULE_COUNT !== 20) {
    throw new Error(`expected 20 compiled rules, got ${rules.length} (of ${RULE_COUNT} written)`);
  }
  const targeted = rules.filter((r) => r.concernsTarget);
  const target = { provider: BENCH_PROVIDER, model: MODEL };
  const facts = callFacts(MODEL);
  for (const [what, verdict] of [
    ['the request', evaluate(rules, facts)],
    ['its target', evaluate(rules, facts, target)],
  ]) {
    if (verdict.decision !== 'ALLOW') {
      const by = verdict.matched.map((m) => `${m.policyId}/${m.ruleId}`).join(', ');
      throw new Error(`the bench's call must match no rule, but at ${what}: ${by}`);
    }
  }
  const withProbe = orderRules([...POLICIES, PROBE_POLICY].map(compile));
  const probe = evaluate(withProbe, callFacts(DENIED_MODEL));
  if (probe.decision !== 'DENY' || probe.decidedBy.ruleId !== PROBE_RULE_ID) {
    throw new Error(`the probe rule must deny ${DENIED_MODEL}, got ${probe.decision}`);
  }
  return { rules, targeted, target, evaluate };
}

const NO_PII = new Set();

/** The facts of the bench's call, built as the gateway's policy stage builds them per call. */
function callFacts(model) {
  return {
    tenantId: BENCH_TENANT.id,
    tenantRegion: BENCH_TENANT.region,
    tenantTags: BENCH_TENANT.tags,
    model,
    maxTokens: MAX_TOKENS,
    toolNames: [],
    piiTypes: NO_PII,
    budgetUtilizationPct: 0,
    now: Date.now(),
  };
}

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

/** Times one run of `iterations` calls of `fn`: µs per call. */
function timeRun(fn, iterations) {
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) sink += fn();
  const ns = Number(process.hrtime.bigint() - t0);
  // Keeps the work observable, so that nothing is optimised away.
  if (sink === -1) console.log('');
  return ns / iterations / 1000;
}

/**
 * Times every case: each warmed up, then the runs interleaved (A B C, A B C, ...) so that the
 * machine's drift touches every case alike; per case the median, min and max of its runs.
 */
function timeCases(cases, { iterations, runs, warmup }) {
  for (const fn of Object.values(cases)) timeRun(fn, warmup);
  const perRun = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
  for (let r = 0; r < runs; r++) {
    for (const [name, fn] of Object.entries(cases)) perRun[name].push(timeRun(fn, iterations));
  }
  return Object.fromEntries(
    Object.entries(perRun).map(([name, values]) => [
      name,
      {
        usPerCall: median(values),
        min: Math.min(...values),
        max: Math.max(...values),
        runsUs: values,
      },
    ]),
  );
}

/** Runs the micro-benchmark; returns the figures (what --json prints). */
export async function runPolicyStage({ quick = false } = {}) {
  const { rules, targeted, target, evaluate } = await compileBenchRules();
  const opts = quick
    ? { iterations: 100_000, runs: 5, warmup: 100_000 }
    : { iterations: 200_000, runs: 7, warmup: 200_000 };
  const allowed = (v) => (v.decision === 'ALLOW' ? 1 : 0);
  const cases = {
    request: () => allowed(evaluate(rules, callFacts(MODEL))),
    requestAndTarget: () => {
      const facts = callFacts(MODEL);
      return allowed(evaluate(rules, facts)) + allowed(evaluate(targeted, facts, target));
    },
    requestAndFullTarget: () => {
      const facts = callFacts(MODEL);
      return allowed(evaluate(rules, facts)) + allowed(evaluate(rules, facts, target));
    },
  };
  const figures = timeCases(cases, opts);
  const perCall = figures.requestAndTarget.usPerCall;
  return {
    rules: rules.length,
    rulesReadingTheTarget: targeted.length,
    globalRules: rules.filter((r) => r.tenant === null).length,
    tenantRules: rules.filter((r) => r.tenant !== null).length,
    node: process.version,
    iterations: opts.iterations,
    runs: opts.runs,
    warmup: opts.warmup,
    ...figures,
    nsPerRule: (1000 * figures.request.usPerCall) / rules.length,
    limitUs: POLICY_STAGE_LIMIT_US,
    met: perCall < POLICY_STAGE_LIMIT_US,
  };
}

const us = (n) => `${n.toFixed(3)} µs`;

/** The lines printed for the micro-benchmark, standalone and under the bench's table. */
export function policyStageLines(r) {
  const row = (label, f) =>
    `  ${label.padEnd(34)} ${us(f.usPerCall).padStart(10)}   (runs ${us(f.min)} .. ${us(f.max)})`;
  return [
    `policy stage, ${r.rules} non-matching rules (${r.globalRules} global, ${r.tenantRules} tenant; ${r.rulesReadingTheTarget} read the target), median of ${r.runs} runs x ${r.iterations.toLocaleString('en-US')} calls:`,
    row('request', r.request),
    row('request + one target check', r.requestAndTarget),
    row('request + full re-check at target', r.requestAndFullTarget),
    `  per call (request + target check): ${us(r.requestAndTarget.usPerCall)}, target < ${r.limitUs} µs: ${r.met ? 'met' : 'MISSED'}; ${r.nsPerRule.toFixed(0)} ns per rule`,
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const quick =
    args.includes('--quick') ||
    process.env.BENCH_QUICK === '1' ||
    process.env.BENCH_QUICK === 'true';
  runPolicyStage({ quick }).then(
    (result) => {
      if (args.includes('--json')) {
        process.stdout.write(`${JSON.stringify({ event: 'result', result })}\n`);
      } else {
        console.log(policyStageLines(result).join('\n'));
      }
    },
    (err) => {
      console.error(`policy-stage: ${err.message}`);
      process.exit(1);
    },
  );
}
