import { setTimeout as sleep } from 'node:timers/promises';
import { FAKE_OPENAI_API_KEY, FakeOpenAiServer } from '../../fakes/fake-openai.server.js';
import { type GatewayProcess, spawnGateway } from '../../helpers/gateway-process.js';

const ADMIN_TOKEN = 'obs-admin-token-5f1e2d3c4b5a69788796a5b4';
/** Words that appear only in prompts: never in a log line. */
const PROMPT_MARKER = 'periwinkle-quasar-4471';
const ANSWER_MARKER = 'tangerine-nebula-9182';

/** Every line the process wrote to stdout, parsed: each must be one JSON object. */
function jsonLines(gateway: GatewayProcess): Record<string, any>[] {
  return gateway.output.map((line) => {
    try {
      return JSON.parse(line) as Record<string, any>;
    } catch {
      throw new Error(`not a JSON log line: ${line}`);
    }
  });
}

/** The access line of the call with `traceId`, once settlement has written it. */
async function accessLineOf(gateway: GatewayProcess, traceId: string) {
  for (let i = 0; i < 200; i++) {
    const line = jsonLines(gateway).find((l) => l.context === 'Access' && l.trace_id === traceId);
    if (line !== undefined) return line;
    await sleep(25);
  }
  throw new Error(`no access line for ${traceId}:\n${gateway.output.join('\n')}`);
}

/**
 * Logs of a real gateway process (contract 14): pino JSON lines on stdout, one access line per
 * /v1 call whatever its outcome, no secret and no prompt or answer text.
 */
describe('access log of a gateway process', () => {
  const upstream = new FakeOpenAiServer();
  let gateway: GatewayProcess;
  let apiKey = '';
  let keyId = '';

  const chat = (body: object, headers: Record<string, string>) =>
    fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    const { baseUrl } = await upstream.start();
    upstream.setReply({ content: `Here is ${ANSWER_MARKER}.` });
    gateway = await spawnGateway({
      GATEWAY_PROFILE: 'production',
      GATEWAY_DATABASE_URL: 'sqlite::memory:',
      GATEWAY_AUDIT_HMAC_SECRET: 'obs-audit-secret-0123456789abcdefghijklmn',
      GATEWAY_ADMIN_TOKEN: ADMIN_TOKEN,
      OPENAI_API_KEY: FAKE_OPENAI_API_KEY,
      OPENAI_BASE_URL: baseUrl,
    });
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
    const tenant = await fetch(`${gateway.url}/v1/admin/tenants`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ id: 'acme', name: 'Acme' }),
    });
    expect(tenant.status).toBe(201);
    const issued = await fetch(`${gateway.url}/v1/admin/tenants/acme/keys`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ name: 'app' }),
    });
    const body = (await issued.json()) as { id: string; key: string };
    apiKey = body.key;
    keyId = body.id;
    expect(apiKey).toMatch(/^gw_/);
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream.close();
  });

  it('writes one access line for an answered call, with who, what answered and what it used', async () => {
    const res = await chat(
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `Say ${PROMPT_MARKER}` }] },
      { authorization: `Bearer ${apiKey}`, 'x-trace-id': 'obs-answered-1' },
    );
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(ANSWER_MARKER);
    const line = await accessLineOf(gateway, 'obs-answered-1');
    expect(line).toMatchObject({
      level: 30,
      msg: 'POST /v1/chat/completions 200',
      trace_id: 'obs-answered-1',
      tenant: 'acme',
      key_id: keyId,
      method: 'POST',
      path: '/v1/chat/completions',
      status: 200,
      code: null,
      provider: 'openai',
      model: 'gpt-4o-mini',
      upstream_model: 'gpt-4o-mini',
      stream: false,
      attempts: 1,
      client_gone: false,
      ttft_ms: null,
    });
    expect(typeof line.time).toBe('string');
    expect(line.latency_ms).toBeGreaterThanOrEqual(0);
    expect(line.input_tokens).toBeGreaterThan(0);
    expect(line.output_tokens).toBeGreaterThan(0);
    expect(line.cost_usd).toBeGreaterThan(0);
    expect(
      jsonLines(gateway).filter((l) => l.context === 'Access' && l.trace_id === 'obs-answered-1'),
    ).toHaveLength(1);
  });

  it('gives a stream its time to first token', async () => {
    const res = await chat(
      {
        model: 'gpt-4o-mini',
        stream: true,
        messages: [{ role: 'user', content: `Stream ${PROMPT_MARKER}` }],
      },
      { authorization: `Bearer ${apiKey}`, 'x-trace-id': 'obs-stream-1' },
    );
    expect(res.status).toBe(200);
    await res.text();
    const line = await accessLineOf(gateway, 'obs-stream-1');
    expect(line).toMatchObject({ status: 200, stream: true, code: null, provider: 'openai' });
    expect(line.ttft_ms).toBeGreaterThanOrEqual(0);
    expect(line.output_tokens).toBeGreaterThan(0);
  });

  it('logs a stream the client left, as cut short', async () => {
    upstream.stallStreamNext(1);
    const controller = new AbortController();
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${apiKey}`,
        'x-trace-id': 'obs-gone-1',
      },
      body: JSON.stringify({
        model: 'gpt-4o-mini',
        stream: true,
        messages: [{ role: 'user', content: PROMPT_MARKER }],
      }),
      signal: controller.signal,
    });
    await res.body!.getReader().read();
    controller.abort();
    expect(await accessLineOf(gateway, 'obs-gone-1')).toMatchObject({
      status: 200,
      stream: true,
      client_gone: true,
      tenant: 'acme',
      provider: 'openai',
    });
  });

  it('logs refusals too: a wrong key (401) and an invalid body (400), with their codes', async () => {
    const wrongKey = `gw_${'0'.repeat(40)}`;
    const refused = await chat(
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: PROMPT_MARKER }] },
      { authorization: `Bearer ${wrongKey}`, 'x-trace-id': 'obs-refused-401' },
    );
    expect(refused.status).toBe(401);
    expect(await accessLineOf(gateway, 'obs-refused-401')).toMatchObject({
      level: 30,
      status: 401,
      code: 'invalid_api_key',
      tenant: null,
      key_id: null,
      provider: null,
      input_tokens: null,
      cost_usd: null,
    });

    const invalid = await chat(
      { model: 'gpt-4o-mini', messages: [{ role: 'wizard', content: PROMPT_MARKER }] },
      { authorization: `Bearer ${apiKey}`, 'x-trace-id': 'obs-refused-400' },
    );
    expect(invalid.status).toBe(400);
    expect(await accessLineOf(gateway, 'obs-refused-400')).toMatchObject({
      status: 400,
      code: 'validation_error',
      tenant: 'acme',
      key_id: keyId,
      provider: null,
    });
    expect(jsonLines(gateway).some((l) => JSON.stringify(l).includes(wrongKey))).toBe(false);
  });

  it('logs an upstream failure at warn with its code', async () => {
    upstream.plan({ kind: 'fail', status: 500, body: { error: { message: 'boom' } } }, 10);
    const res = await chat(
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: PROMPT_MARKER }] },
      { authorization: `Bearer ${apiKey}`, 'x-trace-id': 'obs-failed-502' },
    );
    expect(res.status).toBe(502);
    expect(await accessLineOf(gateway, 'obs-failed-502')).toMatchObject({
      level: 40,
      status: 502,
      code: 'provider_error',
      tenant: 'acme',
    });
    upstream.reset();
    upstream.setReply({ content: `Here is ${ANSWER_MARKER}.` });
  });

  it('never writes a secret, a prompt or an answer, and every line is JSON', () => {
    const output = gateway.output.join('\n');
    for (const secret of [apiKey, ADMIN_TOKEN, FAKE_OPENAI_API_KEY, 'obs-audit-secret']) {
      expect(output).not.toContain(secret);
    }
    expect(output).not.toContain(PROMPT_MARKER);
    expect(output).not.toContain(ANSWER_MARKER);
    expect(jsonLines(gateway).length).toBeGreaterThan(5);
  });
});
