// The policies of the governed lane (docs/performance.md: "key, 20 policy rules"), shared by the
// governed gateway (targets.mjs writes them into a configuration file) and the policy-stage
// micro-benchmark (policy-stage.mjs compiles them with the engine in dist/).
//
// Twenty rules that the bench's calls (tenant `bench`, model gpt-4o-mini through the openai
// provider, max_tokens 128, no tools) do NOT match, so every one is evaluated in full on every
// call, spread over global policies and policies of tenant `bench`; plus one probe rule that denies
// only the model `bench-denied-model`, so the sanity check can prove that the policies are enforced.
import { stringify } from 'yaml';

/** The bench tenant's region and tags (bootstrap file), which the rules below do not match. */
export const BENCH_TENANT = { id: 'bench', region: 'us', tags: { team: 'bench', env: 'perf' } };
/** The provider the bench's model is served by (the fake upstream as `openai`). */
export const BENCH_PROVIDER = 'openai';
/** The model the probe rule denies: a call for it must get 403 policy_denied. */
export const DENIED_MODEL = 'bench-denied-model';
export const PROBE_RULE_ID = 'deny-probe-model';
export const PROBE_MESSAGE = 'The bench probe model is denied.';

const ALWAYS = { outside: ['00:00', '24:00'] };

/** `{id, tenant?, rules}`: the 20 non-matching rules, in 4 policies. */
export const POLICIES = [
  {
    id: 'bench-global-models',
    rules: [
      {
        id: 'deny-preview-models',
        priority: 10,
        conditions: { model: { denylist: ['gpt-4-turbo*', '*-preview', 'o1-*'] } },
        deny_message: 'Preview models are not allowed.',
      },
      {
        id: 'deny-legacy-models',
        priority: 20,
        conditions: { model: { denylist: ['gpt-3.5*', 'text-davinci-*', 'claude-2*'] } },
      },
      {
        id: 'allow-approved-models',
        priority: 30,
        conditions: {
          model: { allowlist: ['gpt-4o*', 'claude-3-5-*', 'mistral-large-*', 'gemini-1.5-*'] },
        },
        deny_message: 'This model is not approved.',
      },
      {
        id: 'cap-max-tokens',
        conditions: { max_tokens: { limit: 8192 } },
      },
      {
        id: 'deny-shell-tools',
        conditions: { tools: { denylist: ['shell_exec', 'run_*'] } },
      },
      {
        id: 'allow-known-tools',
        conditions: { tools: { allowlist: ['search_*', 'get_weather'] } },
      },
    ],
  },
  {
    id: 'bench-global-targets',
    rules: [
      {
        id: 'deny-mistral',
        priority: 50,
        conditions: { provider: { denylist: ['mistral'] } },
      },
      {
        id: 'deny-groq-deepseek',
        conditions: { provider: { denylist: ['groq', 'deepseek'] } },
      },
      {
        id: 'eu-residency',
        conditions: {
          data_residency: { tenant_region: 'eu', allowed_providers: ['mistral', 'bedrock'] },
        },
      },
      {
        id: 'maintenance-window',
        conditions: { time_of_day: ALWAYS },
        deny_message: 'The gateway is in maintenance.',
      },
      {
        id: 'search-team-tools',
        conditions: { tenant_tags: { team: 'search' }, tools: { denylist: ['code_interpreter'] } },
      },
      {
        id: 'warn-large-completions',
        priority: 200,
        conditions: { max_tokens: { limit: 16000 } },
        action: 'WARN_AGENT',
        warn_message: 'Very large completion requested.',
      },
    ],
  },
  {
    id: 'bench-tenant-models',
    tenant: 'bench',
    rules: [
      {
        id: 'bench-deny-models',
        priority: 15,
        conditions: { model: { denylist: ['gpt-4*-32k', '*-vision-*'] } },
      },
      {
        id: 'bench-allow-models',
        conditions: { model: { allowlist: ['gpt-4o-mini', 'gpt-4o'] } },
      },
      {
        id: 'bench-max-tokens',
        conditions: { max_tokens: { limit: 4096 } },
      },
      {
        id: 'bench-deny-tools',
        conditions: { tools: { denylist: ['browser_*', 'file_write'] } },
      },
    ],
  },
  {
    id: 'bench-tenant-targets',
    tenant: 'bench',
    rules: [
      {
        id: 'bench-allow-providers',
        conditions: { provider: { allowlist: ['openai', 'anthropic'] } },
      },
      {
        id: 'bench-apac-residency',
        conditions: {
          data_residency: { tenant_region: 'apac', allowed_providers: ['qwen', 'moonshot'] },
        },
      },
      {
        id: 'bench-night-freeze',
        conditions: { time_of_day: { ...ALWAYS, timezone: 'Europe/Paris' } },
      },
      {
        id: 'bench-finance-tokens',
        conditions: { tenant_tags: { team: 'finance', env: 'prod' }, max_tokens: { limit: 1000 } },
      },
    ],
  },
];

/**
 * The 21st rule, in a policy of its own: it denies the probe model only. First in evaluation
 * order, so that it, and not an allowlist above (which would refuse that model too), decides.
 */
export const PROBE_POLICY = {
  id: 'bench-probe',
  tenant: 'bench',
  rules: [
    {
      id: PROBE_RULE_ID,
      priority: 1,
      conditions: { model: { denylist: [DENIED_MODEL] } },
      deny_message: PROBE_MESSAGE,
    },
  ],
};

export const RULE_COUNT = POLICIES.reduce((n, p) => n + p.rules.length, 0);

/** A policy as the gateway reads it: `{id, tenant?, status, dsl}` with the DSL as YAML text. */
export function policyEntry({ id, tenant, rules }) {
  return {
    id,
    ...(tenant ? { tenant } : {}),
    status: 'ACTIVE',
    dsl: stringify({ version: '1', rules }),
  };
}

/** Every policy entry the governed gateway is configured with (the 20 rules and the probe). */
export function governedPolicyEntries() {
  return [...POLICIES, PROBE_POLICY].map(policyEntry);
}

/**
 * Rate limits of the governed lane, per key and per tenant, requests and tokens: every call
 * passes the whole stage (four buckets checked and reserved, the token estimate, settlement),
 * and none is refused however fast the lane runs (a billion per minute).
 */
export const BENCH_RATE_LIMIT = 1_000_000_000;

/**
 * The governed lane's budget (contract 11.3): a month budget on the bench tenant, far above what
 * a run spends, so every call reserves and settles against it and none is refused. The model is
 * priced by the bundled catalogue (gpt-4o-mini).
 */
export const BENCH_BUDGET = {
  id: 'bench-month',
  tenant: BENCH_TENANT.id,
  period: 'month',
  'limit-usd': 1_000_000,
};

/**
 * The configuration file (GATEWAY_CONFIG_ADDITIONAL_LOCATION) of the governed gateway. With
 * `redisKeyPrefix` (a Redis is given), the rate-limit and budget counters live under it in that
 * Redis.
 */
export function governedConfigYaml({ redisKeyPrefix, upstreamConnections } = {}) {
  const limits = { 'requests-per-minute': BENCH_RATE_LIMIT, 'tokens-per-minute': BENCH_RATE_LIMIT };
  return (
    '# Written by the benchmark (bench/targets.mjs) for one run: the governed lane.\n' +
    stringify({
      gateway: {
        policies: governedPolicyEntries(),
        'rate-limits': { 'per-key': limits, 'per-tenant': limits },
        budgets: [BENCH_BUDGET],
        ...(redisKeyPrefix ? { redis: { 'key-prefix': redisKeyPrefix } } : {}),
        // The 1,000-stream lane needs as many upstream connections (default 256 per host).
        ...(upstreamConnections
          ? { upstream: { 'connections-per-host': upstreamConnections } }
          : {}),
      },
    })
  );
}
