import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnGateway, type GatewayProcess } from '../helpers/gateway-process.js';
import { openDatabase } from '../helpers/storage-harness.js';

const SECRET = 'shutdown-secret-0123456789abcdefghijklm';
const WORDS = 'one two three four five six seven eight nine ten eleven twelve';

/** What the stopped process left in its database for one call. */
async function recordsOf(url: string, traceId: string) {
  const db = openDatabase(url);
  try {
    const audit = await db
      .selectFrom('audit_events')
      .select('event_type')
      .where('trace_id', '=', traceId)
      .execute();
    const usage = await db
      .selectFrom('usage_records')
      .select(['output_tokens', 'status'])
      .where('trace_id', '=', traceId)
      .execute();
    return { events: audit.map((row) => row.event_type), usage };
  } finally {
    await db.destroy();
  }
}

/** Reads an SSE body frame by frame; `first` resolves at the first frame. */
function frames(body: ReadableStream<Uint8Array>) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  let onFirst: () => void = () => undefined;
  const first = new Promise<void>((resolve) => (onFirst = resolve));
  const all = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += value;
      if (text.includes('\n\n')) onFirst();
    }
    onFirst();
    return text.split('\n\n').filter((frame) => frame !== '');
  })();
  return { first, all };
}

describe('Graceful shutdown of a real gateway process (SIGTERM)', () => {
  let dir: string;
  let gateway: GatewayProcess | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gw-shutdown-'));
  });
  afterEach(async () => {
    await gateway?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finishes the stream in flight, writes its audit and usage, and exits 0', async () => {
    const yaml = join(dir, 'slow-stream.yml');
    writeFileSync(
      yaml,
      [
        'gateway:',
        '  providers:',
        '    mock:',
        '      stream-token-delay-ms: 80',
        '      response-overrides:',
        // A script, so the sandbox's worker threads are running when the signal comes.
        `        '[mock/slow]': "js: '${WORDS}'"`,
      ].join('\n'),
    );
    const url = `file:${join(dir, 'gateway.db')}`;
    gateway = await spawnGateway({
      GATEWAY_DATABASE_URL: url,
      GATEWAY_AUDIT_HMAC_SECRET: SECRET,
      GATEWAY_CONFIG_ADDITIONAL_LOCATION: yaml,
      GATEWAY_SHUTDOWN_GRACE_MS: '15000',
    });

    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'mock/slow',
        stream: true,
        messages: [{ role: 'user', content: 'count' }],
      }),
    });
    expect(res.status).toBe(200);
    const traceId = res.headers.get('x-trace-id') ?? '';
    expect(traceId).not.toBe('');
    const stream = frames(res.body!);
    await stream.first;

    const exit = gateway.stop(30_000);
    // Not ready any more at once: refused, or answered 503 while draining.
    const ready = await fetch(`${gateway.url}/health/ready`).then(
      (r) => r.status,
      () => 'refused',
    );
    expect([503, 'refused']).toContain(ready);

    const received = await stream.all;
    expect(received[received.length - 1]).toBe('data: [DONE]');
    const text = received
      .slice(0, -1)
      .map((frame) => JSON.parse(frame.slice('data: '.length)).choices[0]?.delta?.content ?? '')
      .join('');
    expect(text).toBe(WORDS);

    expect(await exit).toBe(0);
    const log = gateway.output.join('\n');
    expect(log).toMatch(/Gateway stopped/);
    // Done when the last call was, not when the grace period ran out.
    expect(log).not.toMatch(/grace period over/);
    const { events, usage } = await recordsOf(url, traceId);
    expect(events).toContain('GATEWAY_RESPONSE');
    expect(usage).toHaveLength(1);
    expect(Number(usage[0].output_tokens)).toBeGreaterThan(0);
    expect(Number(usage[0].status)).toBe(200);
  }, 60_000);

  it('cuts a stream still running when the grace period ends, settles it, and exits 0', async () => {
    const yaml = join(dir, 'endless-stream.yml');
    writeFileSync(
      yaml,
      ['gateway:', '  providers:', '    mock:', '      stream-token-delay-ms: 1000'].join('\n'),
    );
    const url = `file:${join(dir, 'gateway.db')}`;
    gateway = await spawnGateway({
      GATEWAY_DATABASE_URL: url,
      GATEWAY_AUDIT_HMAC_SECRET: SECRET,
      GATEWAY_CONFIG_ADDITIONAL_LOCATION: yaml,
      GATEWAY_SHUTDOWN_GRACE_MS: '1500',
    });
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'mock/long',
        stream: true,
        // The mock's default answer, one word a second: far longer than the grace period.
        messages: [{ role: 'user', content: 'go on' }],
      }),
    });
    expect(res.status).toBe(200);
    const traceId = res.headers.get('x-trace-id') ?? '';
    const stream = frames(res.body!);
    await stream.first;

    const exit = gateway.stop(30_000);
    const received = await stream.all.catch(() => ['(connection reset)']);

    expect(await exit).toBe(0);
    expect(received).not.toContain('data: [DONE]');
    expect(gateway.output.join('\n')).toMatch(/grace period over/);
    const { events, usage } = await recordsOf(url, traceId);
    expect(events).toContain('GATEWAY_RESPONSE');
    expect(usage).toHaveLength(1);
  }, 60_000);
});
