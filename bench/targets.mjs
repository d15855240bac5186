// The systems under test and their checks, shared by run.mjs and profile.mjs: the fake upstream,
// the reference proxy, the gateway (keyless, or with an API key its bootstrap file imports, or
// governed: that key plus the policies of policies.mjs), each pinned like the benchmark pins them.
// `ctx` is { cfg: { readyTimeoutS }, pinning, upstreamOrigin }.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { EXPECTED_CONTENT } from './fake-upstream.mjs';
import { bearerHeaders, CHAT_BODY, CHAT_PATH, MODEL, STREAM_BODY } from './payloads.mjs';
import {
  BENCH_RATE_LIMIT,
  BENCH_TENANT,
  DENIED_MODEL,
  governedConfigYaml,
  POLICIES,
  PROBE_MESSAGE,
  PROBE_POLICY,
  PROBE_RULE_ID,
} from './policies.mjs';
import { observabilityEnv } from './observability.mjs';
import { exitMessage, freePort, spawnNode, stopChild, waitForEvent } from './processes.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH_DIR);
export const GATEWAY_ENTRY = process.env.BENCH_GATEWAY_ENTRY || join(ROOT, 'dist', 'main.js');
/** A Redis for the governed gateway's rate-limit counters (empty: process memory). */
export const GOVERNED_REDIS_URL = process.env.BENCH_GOVERNED_REDIS_URL ?? '';
/** Extra node flags for the gateway only (e.g. --max-semi-space-size=32), space-separated. */
export const GATEWAY_NODE_FLAGS = (process.env.BENCH_GATEWAY_NODE_FLAGS ?? '')
  .split(/\s+/)
  .filter(Boolean);

/** Starts the fake upstream on the load CPU; resolves to { child, pid, origin }. */
export async function startUpstream(ctx, { chunkDelayMs }) {
  const child = spawnNode('fake upstream', [join(BENCH_DIR, 'fake-upstream.mjs')], {
    pinning: ctx.pinning,
    cpu: ctx.pinning.loadCpu,
    env: {
      ...process.env,
      FAKE_UPSTREAM_PORT: '0',
      FAKE_UPSTREAM_CHUNK_DELAY_MS: String(chunkDelayMs),
    },
    cwd: ROOT,
  });
  const { port } = await waitForEvent(child, 'listening', 10_000);
  return { child, pid: child.pid, origin: `http://127.0.0.1:${port}` };
}

// ---- sanity: a lane only counts if the target answers correctly ----

export async function checkTarget(name, origin, headers) {
  const json = await request(`${origin}${CHAT_PATH}`, {
    method: 'POST',
    headers,
    body: CHAT_BODY,
  });
  const text = await json.body.text();
  let content;
  try {
    content = JSON.parse(text).choices?.[0]?.message?.content;
  } catch {
    content = undefined;
  }
  if (json.statusCode !== 200 || content !== EXPECTED_CONTENT) {
    throw new Error(
      `${name}: POST ${CHAT_PATH} answered ${json.statusCode} ${text.slice(0, 400)} ` +
        `(expected 200 with the fake upstream's completion)`,
    );
  }
  const sse = await request(`${origin}${CHAT_PATH}`, {
    method: 'POST',
    headers,
    body: STREAM_BODY,
  });
  const stream = await sse.body.text();
  const type = String(sse.headers['content-type'] ?? '');
  if (
    sse.statusCode !== 200 ||
    !type.startsWith('text/event-stream') ||
    !/data: ?\[DONE\]/.test(stream)
  ) {
    throw new Error(
      `${name}: streaming POST ${CHAT_PATH} answered ${sse.statusCode} (${type}) ${stream.slice(0, 400)}`,
    );
  }
}

/** The gateway checks the key for real: a well-formed key it does not know gets 401. */
export async function checkKeyIsVerified(name, origin) {
  const r = await request(`${origin}${CHAT_PATH}`, {
    method: 'POST',
    headers: bearerHeaders(`gw_${'0'.repeat(40)}`),
    body: CHAT_BODY,
  });
  const text = await r.body.text();
  let code;
  try {
    code = JSON.parse(text).error?.code;
  } catch {
    code = undefined;
  }
  if (r.statusCode !== 401 || code !== 'invalid_api_key') {
    throw new Error(
      `${name}: an unknown key answered ${r.statusCode} ${text.slice(0, 400)} ` +
        `(expected 401 invalid_api_key: is the key checked at all?)`,
    );
  }
}

/** Reads an answer's JSON error code; undefined when the body is not a gateway error. */
function errorOf(text) {
  try {
    return JSON.parse(text).error ?? {};
  } catch {
    return {};
  }
}

/** The policy names the governed gateway is configured with. */
const POLICY_IDS = [...POLICIES, PROBE_POLICY].map((p) => p.id);

/**
 * The governed gateway really enforces its policies: a call for the probe model is refused with
 * 403 `policy_denied` by the 21st rule, no policy was skipped at start-up (the gateway logs "does
 * not compile and is skipped" at error level, and the governed target runs at LOG_LEVEL=error),
 * and, where the admin policies API answers, the dry-run agrees (the bench's call: ALLOW with no
 * rule matched; the probe: DENY by the probe rule) and lists every configured policy.
 * Returns what was checked, for the JSON.
 */
export async function checkPoliciesEnforced(name, sut, apiKey) {
  // Start-up first: the probe's refusal below may itself be logged.
  if (sut.policyLog.length) {
    throw new Error(
      `${name}: the gateway skipped policies at start-up, so fewer rules than configured are in force:\n    ` +
        sut.policyLog.join('\n    '),
    );
  }
  const probeBody = JSON.stringify({ ...JSON.parse(CHAT_BODY), model: DENIED_MODEL });
  const r = await request(`${sut.origin}${CHAT_PATH}`, {
    method: 'POST',
    headers: bearerHeaders(apiKey),
    body: probeBody,
  });
  const text = await r.body.text();
  const error = errorOf(text);
  if (r.statusCode !== 403 || error.code !== 'policy_denied' || error.message !== PROBE_MESSAGE) {
    throw new Error(
      `${name}: a call for model ${DENIED_MODEL} answered ${r.statusCode} ${text.slice(0, 400)} ` +
        `(expected 403 policy_denied "${PROBE_MESSAGE}" from rule ${PROBE_RULE_ID}: are the policies enforced?)`,
    );
  }
  const checked = {
    probe: `403 policy_denied (${PROBE_RULE_ID})`,
    startupPolicyErrors: 0,
    adminApi: 'not checked (no admin token)',
  };
  if (!sut.adminToken) return checked;
  const admin = { authorization: `Bearer ${sut.adminToken}`, 'content-type': 'application/json' };
  // Unfiltered: with `?tenant=` the global policies that also govern the tenant are left out.
  const list = await request(`${sut.origin}/v1/admin/policies`, { headers: admin });
  const listText = await list.body.text();
  const dryRun = async (body) => {
    const res = await request(`${sut.origin}/v1/admin/policies/dry-run`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ request: JSON.parse(body), tenant: BENCH_TENANT.id }),
    });
    return { status: res.statusCode, text: await res.body.text() };
  };
  const allowed = await dryRun(CHAT_BODY);
  if (list.statusCode === 404 && allowed.status === 404) {
    checked.adminApi = 'not available (the admin policies API answers 404)';
    return checked;
  }
  const parts = [];
  if (list.statusCode === 200) {
    const listed = new Set(
      (JSON.parse(listText).data ?? []).filter((p) => p.status === 'ACTIVE').map((p) => p.id),
    );
    const missing = POLICY_IDS.filter((id) => !listed.has(id));
    if (missing.length) {
      throw new Error(
        `${name}: GET /v1/admin/policies does not list ${missing.join(', ')} as ACTIVE`,
      );
    }
    parts.push(`lists all ${POLICY_IDS.length} policies`);
  } else if (list.statusCode !== 404) {
    throw new Error(
      `${name}: GET /v1/admin/policies answered ${list.statusCode} ${listText.slice(0, 400)}`,
    );
  }
  if (allowed.status === 200) {
    const verdict = JSON.parse(allowed.text);
    if (verdict.decision !== 'ALLOW' || verdict.matched?.length) {
      throw new Error(
        `${name}: the dry-run of the bench's call (${MODEL}) answered ${allowed.text.slice(0, 400)} (expected ALLOW, no rule matched)`,
      );
    }
    const denied = await dryRun(probeBody);
    const probe = JSON.parse(denied.text);
    if (
      denied.status !== 200 ||
      probe.decision !== 'DENY' ||
      !probe.matched?.some((m) => m.rule_id === PROBE_RULE_ID)
    ) {
      throw new Error(
        `${name}: the dry-run of the probe (${DENIED_MODEL}) answered ${denied.status} ${denied.text.slice(0, 400)} (expected DENY by ${PROBE_RULE_ID})`,
      );
    }
    parts.push('dry-run: bench call ALLOW with no match, probe DENY');
  } else if (allowed.status !== 404) {
    throw new Error(
      `${name}: POST /v1/admin/policies/dry-run answered ${allowed.status} ${allowed.text.slice(0, 400)}`,
    );
  }
  checked.adminApi = parts.join('; ');
  return checked;
}

/**
 * The governed gateway really applies its rate limits: an answer carries the `x-ratelimit-*`
 * headers with the configured limits, less this call's permit remaining. Returns what
 * was checked, for the JSON (where the counters live: memory or Redis).
 */
export async function checkRateLimitsApplied(name, origin, apiKey) {
  const r = await request(`${origin}${CHAT_PATH}`, {
    method: 'POST',
    headers: bearerHeaders(apiKey),
    body: CHAT_BODY,
  });
  await r.body.text();
  const h = r.headers;
  const limits = [h['x-ratelimit-limit-requests'], h['x-ratelimit-limit-tokens']];
  // A billion a minute drains thousands a millisecond: only this call's own permit shows.
  const remaining = Number(h['x-ratelimit-remaining-requests']);
  if (
    r.statusCode !== 200 ||
    limits.some((v) => v !== String(BENCH_RATE_LIMIT)) ||
    !(remaining < BENCH_RATE_LIMIT)
  ) {
    throw new Error(
      `${name}: an answer carried x-ratelimit-limit-requests/-tokens ${limits.join('/')} and ` +
        `x-ratelimit-remaining-requests ${remaining} (status ${r.statusCode}; expected limits of ` +
        `${BENCH_RATE_LIMIT} and one permit taken: are the rate limits on?)`,
    );
  }
  return {
    limitPerMinute: BENCH_RATE_LIMIT,
    counters: GOVERNED_REDIS_URL ? 'redis' : 'memory',
    headers: 'x-ratelimit-* present, the call took its permit',
  };
}

// ---- the system under test ----

// Temporary folders (SQLite store, bootstrap file), removed when the run ends however it ends.
const tempDirs = new Set();

export function removeTempDir(dir) {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

export function removeAllTempDirs() {
  for (const dir of tempDirs) removeTempDir(dir);
}

/**
 * The bootstrap file of the authenticated target: one tenant and one key, given by environment
 * variable as an operator would, so the key is imported by its hash and never printed.
 */
const BOOTSTRAP_YAML = `# Written by the benchmark (bench/targets.mjs) for one run.
tenants:
  - id: ${BENCH_TENANT.id}
    name: Benchmark tenant
    region: ${BENCH_TENANT.region}
    tags: ${JSON.stringify(BENCH_TENANT.tags)}
    keys:
      - name: bench-load
        scopes: [completions:write]
        key: \${BENCH_GATEWAY_KEY}
`;

async function waitReady(child, origin, timeoutS) {
  const deadline = Date.now() + timeoutS * 1000;
  let died = null;
  child.exited.then((exit) => {
    died = exit;
  });
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (died) throw new Error(`gateway did not start: ${exitMessage(child, died)}`);
    try {
      const r = await request(`${origin}/health/ready`, {
        headersTimeout: 1000,
        bodyTimeout: 1000,
      });
      const body = await r.body.text();
      if (r.statusCode === 200) return;
      last = `${r.statusCode} ${body.slice(0, 200)}`;
    } catch (err) {
      last = err.code ?? err.message;
    }
    await sleep(100);
  }
  const tail = child.tail.length ? `\n  last output:\n    ${child.tail.join('\n    ')}` : '';
  throw new Error(`gateway not ready within ${timeoutS} s (GET /health/ready: ${last})${tail}`);
}

/** What the gateway prints when it skips a policy (contract 10: logged at error level). */
const POLICY_PROBLEM = /polic/i;

/**
 * Starts the gateway on its own SQLite store in a temporary folder (never ./data). With `apiKey`,
 * a bootstrap file creates the tenant `bench` and imports that key. With `governed` (and a key),
 * a configuration file adds the policies of policies.mjs (`gateway.policies`), the admin API is on
 * with a token of this run (for the dry-run check) and the log level is `error`, so that a policy
 * skipped at start-up shows (collected in `policyLog`).
 */
export async function startGateway(
  ctx,
  {
    apiKey,
    governed = false,
    nodeArgs = [],
    audit = true,
    pii = 'LOG',
    databaseUrl,
    metrics = true,
    otlpEndpoint,
    upstreamOrigin = ctx.upstreamOrigin,
    upstreamConnections,
    label,
  } = {},
) {
  if (governed && !apiKey) throw new Error('the governed gateway needs an API key');
  if (!existsSync(GATEWAY_ENTRY)) {
    throw new Error(
      `${relative(ROOT, GATEWAY_ENTRY)} is missing: build first (npm run bench builds)`,
    );
  }
  const port = await freePort();
  const dir = mkdtempSync(join(os.tmpdir(), 'gateway-bench-'));
  tempDirs.add(dir);
  // In-process state only, and no bootstrap file nor extra configuration but ours, whatever the
  // caller's environment says.
  const storeEnv = {
    GATEWAY_DATABASE_URL: databaseUrl ?? `sqlite:${join(dir, 'gateway.db')}`,
    // The audit trail is on by default; a secret of this run keeps the dev warning out of the log.
    GATEWAY_AUDIT_ENABLED: audit ? 'true' : 'false',
    // PII: LOG (the default), REDACT, or off.
    GATEWAY_PII_ENABLED: pii === 'off' ? 'false' : 'true',
    GATEWAY_PII_DEFAULT_ACTION: pii === 'off' ? 'LOG' : pii,
    GATEWAY_AUDIT_HMAC_SECRET: randomBytes(32).toString('hex'),
    GATEWAY_AUDIT_FILE: '',
    GATEWAY_AUDIT_SIGNING_KEY: '',
    GATEWAY_REDIS_URL: '',
    GATEWAY_BOOTSTRAP_FILE: '',
    GATEWAY_CONFIG_ADDITIONAL_LOCATION: '',
    SPRING_CONFIG_ADDITIONAL_LOCATION: '',
    GATEWAY_ADMIN_TOKEN: '',
  };
  if (apiKey) {
    const file = join(dir, 'bootstrap.yml');
    writeFileSync(file, BOOTSTRAP_YAML, { mode: 0o600 });
    Object.assign(storeEnv, { GATEWAY_BOOTSTRAP_FILE: file, BENCH_GATEWAY_KEY: apiKey });
  }
  let adminToken;
  if (governed) {
    const file = join(dir, 'governed.yml');
    // BENCH_GOVERNED_REDIS_URL: the governed gateway's rate limits count in that Redis, under a
    // key prefix of this run, instead of in process memory.
    const redisUrl = GOVERNED_REDIS_URL;
    const redisKeyPrefix = redisUrl
      ? `gateway-bench-${randomBytes(4).toString('hex')}:`
      : undefined;
    writeFileSync(file, governedConfigYaml({ redisKeyPrefix, upstreamConnections }), {
      mode: 0o600,
    });
    adminToken = randomBytes(32).toString('hex');
    Object.assign(storeEnv, {
      GATEWAY_CONFIG_ADDITIONAL_LOCATION: file,
      GATEWAY_ADMIN_TOKEN: adminToken,
      GATEWAY_REDIS_URL: redisUrl,
    });
  }
  // Metrics on (the default) or off; tracing only with an OTLP endpoint, never the caller's.
  const env = {
    ...observabilityEnv(process.env, { metrics, otlpEndpoint }),
    ...storeEnv,
    PORT: String(port),
    HOST: '127.0.0.1',
    GATEWAY_PROFILE: 'dev',
    LOG_LEVEL: governed ? 'error' : 'silent',
    OPENAI_API_KEY: 'sk-bench-upstream',
    OPENAI_BASE_URL: `${upstreamOrigin}/v1`,
    MOCK_PROVIDER_ENABLED: 'false',
    GATEWAY_SHUTDOWN_GRACE_MS: '1000',
  };
  const child = spawnNode(
    label ??
      (governed
        ? `gateway (governed${audit ? '' : ', audit off'}${databaseUrl ? ', PostgreSQL' : ''})`
        : apiKey
          ? 'gateway (API key)'
          : 'gateway'),
    [...GATEWAY_NODE_FLAGS, ...nodeArgs, GATEWAY_ENTRY],
    {
      pinning: ctx.pinning,
      cpu: ctx.pinning.sutCpu,
      env,
      cwd: ROOT,
      stdin: 'ignore',
    },
  );
  // Every line that speaks of policies, from the very start (the tail keeps only the last ones).
  const policyLog = [];
  if (governed) {
    const watch = () => {
      let pending = '';
      return (chunk) => {
        const lines = (pending + chunk.toString()).split('\n');
        pending = lines.pop();
        for (const line of lines) {
          if (POLICY_PROBLEM.test(line) && policyLog.length < 20)
            policyLog.push(line.slice(0, 600));
        }
      };
    };
    child.stdout.on('data', watch());
    child.stderr.on('data', watch());
  }
  const origin = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  try {
    await waitReady(child, origin, ctx.cfg.readyTimeoutS);
  } catch (err) {
    await stopChild(child);
    removeTempDir(dir);
    throw err;
  }
  return { child, pid: child.pid, origin, startupMs: Date.now() - t0, dir, adminToken, policyLog };
}

export async function startReference(ctx, { nodeArgs = [] } = {}) {
  const child = spawnNode(
    'reference proxy',
    [...nodeArgs, join(BENCH_DIR, 'reference-proxy.mjs')],
    {
      pinning: ctx.pinning,
      cpu: ctx.pinning.sutCpu,
      env: { ...process.env, UPSTREAM_ORIGIN: ctx.upstreamOrigin, REFERENCE_PORT: '0' },
      cwd: ROOT,
    },
  );
  const t0 = Date.now();
  const { port } = await waitForEvent(child, 'listening', ctx.cfg.readyTimeoutS * 1000);
  return { child, pid: child.pid, origin: `http://127.0.0.1:${port}`, startupMs: Date.now() - t0 };
}

/** The audit writer's figures from readiness (queue depth, batches, flush latency). */
export async function auditFigures(origin) {
  const r = await request(`${origin}/health/ready`);
  const body = JSON.parse(await r.body.text());
  return body.details?.audit ?? null;
}

/**
 * A fresh PostgreSQL database for the governed gateway with its audit trail on PostgreSQL, on the
 * server of BENCH_POSTGRES_URL (a maintenance database URL); dropped by the returned function.
 */
export async function createBenchPostgres(adminUrl) {
  const { default: pg } = await import('pg');
  const name = `gw_bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
