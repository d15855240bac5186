// The Messages and Responses ingresses beside chat (issue 15): one governed gateway (an API key,
// the 20 policy rules, PII at LOG, the audit trail, usage and cost, a rate limit and a budget:
// the `gateway-governed` target of run.mjs) in front of the bench's fake OpenAI upstream, called
// in turn on /v1/chat/completions, /v1/messages and /v1/responses with the same prompt. The two
// ingresses are translated to chat there (the upstream speaks chat only), so their cost against
// chat is the translation's. Rounds interleave the three paths (chat, messages, responses, then
// reversed) so drift on the machine spreads over all of them.
//
//   npm run build && node bench/ingresses.mjs   (BENCH_INGRESS_ROUNDS=2, BENCH_INGRESS_S=10)
//
// Target (issue 15): translation costs no more than 20% of chat's throughput.
import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';
import { MODEL, bearerHeaders } from './payloads.mjs';
import { planPinning, pinSelf, processCpuSeconds, stopAll } from './processes.mjs';
import { removeAllTempDirs, startGateway, startUpstream } from './targets.mjs';

const ROUNDS = Number(process.env.BENCH_INGRESS_ROUNDS ?? 2);
const SECONDS = Number(process.env.BENCH_INGRESS_S ?? 10);
const WARMUP_S = 3;
const CONNECTIONS = 50;

const SYSTEM = 'You are a concise assistant. Answer in two sentences at most.';
const QUESTION = 'What is the capital of France, and since when has it been the capital?';

const PATHS = {
  chat: {
    path: '/v1/chat/completions',
    body: {
      model: MODEL,
      messages: [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: QUESTION },
      ],
      temperature: 0.2,
      max_tokens: 128,
    },
  },
  messages: {
    path: '/v1/messages',
    body: {
      model: MODEL,
      system: SYSTEM,
      messages: [{ role: 'user', content: QUESTION }],
      temperature: 0.2,
      max_tokens: 128,
    },
  },
  responses: {
    path: '/v1/responses',
    body: {
      model: MODEL,
      instructions: SYSTEM,
      input: QUESTION,
      temperature: 0.2,
      max_output_tokens: 128,
    },
  },
};

function load(origin, headers, { path, body }, durationS) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `${origin}${path}`,
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        connections: CONNECTIONS,
        duration: durationS,
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
  });
}

async function main() {
  const pinning = planPinning({ wanted: process.env.BENCH_PIN !== '0' });
  if (pinning.pinned) pinSelf(pinning, pinning.loadCpu);
  const ctx = { cfg: { readyTimeoutS: 20 }, pinning };
  const upstream = await startUpstream(ctx, { chunkDelayMs: 5 });
  ctx.upstreamOrigin = upstream.origin;
  const apiKey = `gw_${randomBytes(20).toString('hex')}`;
  const gateway = await startGateway(ctx, { apiKey, governed: true });
  const headers = bearerHeaders(apiKey);
  const totals = Object.fromEntries(
    Object.keys(PATHS).map((name) => [name, { requests: 0, cpu: 0, seconds: 0, errors: 0 }]),
  );
  for (const name of Object.keys(PATHS)) {
    const probe = await fetch(`${gateway.origin}${PATHS[name].path}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(PATHS[name].body),
    });
    if (probe.status !== 200) throw new Error(`${name}: ${probe.status} ${await probe.text()}`);
    await load(gateway.origin, headers, PATHS[name], WARMUP_S);
  }
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? Object.keys(PATHS) : Object.keys(PATHS).reverse();
    for (const name of order) {
      const cpuBefore = processCpuSeconds(gateway.pid) ?? 0;
      const result = await load(gateway.origin, headers, PATHS[name], SECONDS);
      const cpu = (processCpuSeconds(gateway.pid) ?? 0) - cpuBefore;
      const total = totals[name];
      total.requests += result['2xx'];
      total.errors += result.non2xx + result.errors + result.timeouts;
      total.cpu += cpu;
      total.seconds += result.duration;
    }
  }
  const chat = totals.chat.requests / totals.chat.seconds;
  process.stdout.write(
    `ingresses, governed gateway, ${CONNECTIONS} connections, ${ROUNDS} x ${SECONDS} s each, ${pinning.pinned ? 'pinned' : 'not pinned'}\n`,
  );
  for (const [name, total] of Object.entries(totals)) {
    const rate = total.requests / total.seconds;
    const cost =
      name === 'chat' ? '' : `, cost vs chat ${(((chat - rate) / chat) * 100).toFixed(1)}%`;
    const cpuUs = total.requests > 0 ? ((total.cpu / total.requests) * 1e6).toFixed(0) : '-';
    process.stdout.write(
      `  ${name.padEnd(9)} ${rate.toFixed(0).padStart(6)} req/s, ${cpuUs} µs CPU per request, ${total.errors} failures${cost}\n`,
    );
  }
}

try {
  await main();
} finally {
  await stopAll();
  removeAllTempDirs();
}
