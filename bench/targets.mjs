// The systems under test and their checks, shared by run.mjs and profile.mjs: the fake upstream,
// the reference proxy, the gateway (keyless, or with an API key its bootstrap file imports), each
// pinned like the benchmark pins them. `ctx` is { cfg: { readyTimeoutS }, pinning, upstreamOrigin }.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { EXPECTED_CONTENT } from './fake-upstream.mjs';
import { bearerHeaders, CHAT_BODY, CHAT_PATH, STREAM_BODY } from './payloads.mjs';
import { exitMessage, freePort, spawnNode, stopChild, waitForEvent } from './processes.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH_DIR);
export const GATEWAY_ENTRY = process.env.BENCH_GATEWAY_ENTRY || join(ROOT, 'dist', 'main.js');
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
  - id: bench
    name: Benchmark tenant
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

/**
 * Starts the gateway on its own SQLite store in a temporary folder (never ./data). With `apiKey`,
 * a bootstrap file creates the tenant `bench` and imports that key.
 */
export async function startGateway(ctx, { apiKey, nodeArgs = [] } = {}) {
  if (!existsSync(GATEWAY_ENTRY)) {
    throw new Error(
      `${relative(ROOT, GATEWAY_ENTRY)} is missing: build first (npm run bench builds)`,
    );
  }
  const port = await freePort();
  const dir = mkdtempSync(join(os.tmpdir(), 'gateway-bench-'));
  tempDirs.add(dir);
  // In-process state only, and no bootstrap file but ours, whatever the caller's environment says.
  const storeEnv = {
    GATEWAY_DATABASE_URL: `sqlite:${join(dir, 'gateway.db')}`,
    GATEWAY_REDIS_URL: '',
    GATEWAY_BOOTSTRAP_FILE: '',
  };
  if (apiKey) {
    const file = join(dir, 'bootstrap.yml');
    writeFileSync(file, BOOTSTRAP_YAML, { mode: 0o600 });
    Object.assign(storeEnv, { GATEWAY_BOOTSTRAP_FILE: file, BENCH_GATEWAY_KEY: apiKey });
  }
  const env = {
    ...process.env,
    ...storeEnv,
    PORT: String(port),
    HOST: '127.0.0.1',
    GATEWAY_PROFILE: 'dev',
    LOG_LEVEL: 'silent',
    OPENAI_API_KEY: 'sk-bench-upstream',
    OPENAI_BASE_URL: `${ctx.upstreamOrigin}/v1`,
    MOCK_PROVIDER_ENABLED: 'false',
    GATEWAY_SHUTDOWN_GRACE_MS: '1000',
  };
  const child = spawnNode(
    apiKey ? 'gateway (API key)' : 'gateway',
    [...GATEWAY_NODE_FLAGS, ...nodeArgs, GATEWAY_ENTRY],
    {
      pinning: ctx.pinning,
      cpu: ctx.pinning.sutCpu,
      env,
      cwd: ROOT,
      stdin: 'ignore',
    },
  );
  const origin = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  try {
    await waitReady(child, origin, ctx.cfg.readyTimeoutS);
  } catch (err) {
    await stopChild(child);
    removeTempDir(dir);
    throw err;
  }
  return { child, pid: child.pid, origin, startupMs: Date.now() - t0, dir };
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
