import { createServer as createHttpServer, type ServerResponse } from 'node:http';
import { createServer } from 'node:net';
import { CallCancellation } from '../../common/cancellation/call-cancellation.js';
import type { CancelSignal } from '../../common/cancellation/cancel-signal.js';
import {
  type FakeOpenAiConfigOverrides,
  fakeOpenAiConfig,
} from '../../../test/fakes/fake-openai.config.js';
import { FAKE_OPENAI_API_KEY, FakeOpenAiServer } from '../../../test/fakes/fake-openai.server.js';
import { UpstreamHttpClient, type UpstreamRequest } from './upstream-http.client.js';
import { UpstreamHttpError } from './upstream-http.error.js';

function clientWith(upstream: FakeOpenAiConfigOverrides['upstream'] = {}): UpstreamHttpClient {
  return new UpstreamHttpClient(fakeOpenAiConfig('http://unused.invalid/v1', { upstream }));
}

async function failure(promise: Promise<unknown>): Promise<UpstreamHttpError> {
  const outcome = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(outcome instanceof UpstreamHttpError)) {
    throw new Error(`expected an UpstreamHttpError, got ${String(outcome)}`);
  }
  return outcome;
}

async function drain(body: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

describe(UpstreamHttpClient.name, () => {
  const fake = new FakeOpenAiServer();
  let origin: string;
  let client: UpstreamHttpClient;

  const chat = (stream: boolean, signal?: CancelSignal): UpstreamRequest => ({
    origin,
    path: '/v1/chat/completions',
    headers: { authorization: `Bearer ${FAKE_OPENAI_API_KEY}` },
    traceContext: undefined,
    json: { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream },
    signal,
  });

  beforeAll(async () => {
    origin = new URL((await fake.start()).baseUrl).origin;
  });

  beforeEach(() => {
    client = clientWith();
  });

  afterEach(async () => {
    fake.reset();
    await client.onApplicationShutdown();
  });

  afterAll(() => fake.close());

  it('sends JSON and returns the parsed answer', async () => {
    const response = await client.requestJson(chat(false));

    expect(response.ok).toBe(true);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.body).toMatchObject({ object: 'chat.completion' });
    expect(fake.lastRequest!.headers['content-type']).toBe('application/json');
    expect(fake.lastRequest!.method).toBe('POST');
  });

  it("sends the adapter's headers, the trace context and the JSON content type, in that precedence", async () => {
    await client.requestJson({
      ...chat(false),
      headers: {
        authorization: `Bearer ${FAKE_OPENAI_API_KEY}`,
        'content-type': 'text/plain',
        'x-vendor': 'adapter',
        traceparent: 'from-adapter',
      },
      traceContext: {
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        tracestate: 'gw=1',
      },
    });

    const sent = fake.lastRequest?.headers;
    expect(sent?.['x-vendor']).toBe('adapter');
    expect(sent?.traceparent).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    expect(sent?.tracestate).toBe('gw=1');
    expect(sent?.['content-type']).toBe('application/json');
    expect(fake.lastRequest?.body).toMatchObject({ model: 'gpt-4o', stream: false });
  });

  it('sends a call without a body as a GET with no content type, its headers left as they are', async () => {
    const headers = { authorization: `Bearer ${FAKE_OPENAI_API_KEY}` };
    const answer = await client.requestJson({
      origin,
      path: '/v1/models',
      headers,
      traceContext: undefined,
    });

    expect(answer.ok).toBe(true);
    expect(fake.lastRequest?.method).toBe('GET');
    expect(fake.lastRequest?.headers['content-type']).toBeUndefined();
    expect(headers).toEqual({ authorization: `Bearer ${FAKE_OPENAI_API_KEY}` });
  });

  it('returns an error status with its body, parsed when it is JSON and as text otherwise', async () => {
    fake.failNext(503).failNext(502, { body: 'Bad gateway' });

    const json = await client.requestJson(chat(false));
    const text = await client.requestJson(chat(false));

    expect(json).toMatchObject({
      ok: false,
      status: 503,
      body: { error: { type: 'server_error' } },
    });
    expect(text).toMatchObject({ ok: false, status: 502, body: 'Bad gateway' });
  });

  it('reuses one keep-alive connection for consecutive calls, streams included', async () => {
    // undici frees a connection a tick after the body ends.
    const settle = () => new Promise((resolve) => setImmediate(resolve));
    await client.requestJson(chat(false));
    await settle();
    await drain(await openOk(client, chat(true)));
    await settle();
    await client.requestJson(chat(false));

    const ports = fake.requests.map((r) => r.remotePort);
    expect(new Set(ports).size).toBe(1);
  });

  it('hands a stream over unread, and reads the error body of a refused one', async () => {
    const ok = await client.openStream(chat(true));
    expect(ok.ok).toBe(true);
    if (ok.ok) expect(await drain(ok.body)).toContain('data: [DONE]');

    fake.failNext(429, { headers: { 'retry-after': '3' } });
    const refused = await client.openStream(chat(true));
    expect(refused).toMatchObject({
      ok: false,
      status: 429,
      headers: { 'retry-after': '3' },
      body: { error: { code: 'rate_limit_exceeded' } },
    });
  });

  it('destroys the upstream request when the consumer stops reading early', async () => {
    fake.stallStreamNext(1);
    const iterator = (await openOk(client, chat(true)))[Symbol.asyncIterator]();
    await iterator.next();
    await iterator.return?.();

    await fake.waitForClientDisconnects(1);
    expect(fake.clientDisconnects).toHaveLength(1);
  });

  it('reports a caller abort as aborted and drops the connection', async () => {
    fake.stallStreamNext(1);
    const controller = new AbortController();
    const body = await openOk(client, chat(true, controller.signal));
    const reading = failure(drain(body));
    controller.abort();

    expect((await reading).kind).toBe('aborted');
    await fake.waitForClientDisconnects(1);
  });

  it('reports a call the caller had already abandoned as aborted, without sending it', async () => {
    const controller = new AbortController();
    controller.abort();

    expect((await failure(client.requestJson(chat(false, controller.signal)))).kind).toBe(
      'aborted',
    );
    expect(fake.requests).toHaveLength(0);
  });

  describe("with the gateway's own cancellation as the caller's signal", () => {
    it('aborts a JSON call in flight and drops the connection', async () => {
      fake.hangNext();
      const cancellation = new CallCancellation();
      const answering = failure(client.requestJson(chat(false, cancellation)));
      await fake.waitForRequests(1);
      cancellation.abort();

      expect((await answering).kind).toBe('aborted');
      await fake.waitForClientDisconnects(1);
      expect(cancellation.listenerCount('abort')).toBe(0);
    });

    it('aborts a stream being read and drops the connection', async () => {
      fake.stallStreamNext(1);
      const cancellation = new CallCancellation();
      const body = await openOk(client, chat(true, cancellation));
      const reading = failure(drain(body));
      cancellation.abort();

      expect((await reading).kind).toBe('aborted');
      await fake.waitForClientDisconnects(1);
    });

    it('sends nothing for a call already cancelled', async () => {
      const cancellation = new CallCancellation();
      cancellation.abort();

      expect((await failure(client.requestJson(chat(false, cancellation)))).kind).toBe('aborted');
      expect(fake.requests).toHaveLength(0);
    });

    it('leaves no listener behind once a call has answered', async () => {
      const cancellation = new CallCancellation();
      const answer = await client.requestJson(chat(false, cancellation));

      expect(answer.ok).toBe(true);
      expect(cancellation.listenerCount('abort')).toBe(0);
      expect(cancellation.aborted).toBe(false);
    });

    it('times one attempt out without cancelling the call, so a retry can still be sent', async () => {
      client = clientWith({ requestTimeoutMs: 150 });
      fake.hangNext();
      const cancellation = new CallCancellation();
      const error = await failure(client.requestJson(chat(false, cancellation)));

      expect(error.kind).toBe('timeout');
      expect(error.message).toContain('150 ms');
      expect(cancellation.aborted).toBe(false);
      expect(cancellation.listenerCount('abort')).toBe(0);
      const retried = await client.requestJson(chat(false, cancellation));
      expect(retried.ok).toBe(true);
    });
  });

  it('bounds a whole JSON call by request-timeout-ms', async () => {
    client = clientWith({ requestTimeoutMs: 150 });
    fake.hangNext();
    const error = await failure(client.requestJson(chat(false)));

    expect(error.kind).toBe('timeout');
    expect(error.message).toContain('150 ms');
  });

  it('bounds a whole stream by stream-timeout-ms, even while chunks still flow', async () => {
    client = clientWith({ streamTimeoutMs: 300 });
    fake.setStreamFormat({ frameDelayMs: 100 });
    fake.setReply({ content: 'x'.repeat(200) });
    const error = await failure(openOk(client, chat(true)).then(drain));

    expect(error.kind).toBe('timeout');
    expect(error.message).toContain('stream not finished within 300 ms');
  });

  it('reports silence between chunks as a timeout', async () => {
    client = clientWith({ streamIdleTimeoutMs: 150 });
    fake.stallStreamNext(1);
    const error = await failure(openOk(client, chat(true)).then(drain));

    expect(error.kind).toBe('timeout');
  });

  it('reports a port nobody listens on as unreachable', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));

    const error = await failure(
      client.requestJson({ ...chat(false), origin: `http://127.0.0.1:${port}` }),
    );
    expect(error.kind).toBe('unreachable');
  });

  it('cuts a 2xx answer larger than max-response-bytes and reports it as malformed', async () => {
    const small = clientWith({ maxResponseBytes: 2048 });
    fake.setReply({ content: 'x'.repeat(4096) });
    const error = await failure(small.requestJson(chat(false)));
    expect(error.kind).toBe('malformed_response');
    expect(error.message).toContain('max-response-bytes (2048)');
    fake.setReply({});
    await small.onApplicationShutdown();
  });

  it('reports a 2xx answer that is not JSON as malformed', async () => {
    fake.failNext(200, { body: 'OK' });
    expect((await failure(client.requestJson(chat(false)))).kind).toBe('malformed_response');
  });
});

/** How a raw loopback server answers: a declared length, or chunked (none), and its bytes. */
describe(`${UpstreamHttpClient.name} reading answer bodies`, () => {
  let answer: (res: ServerResponse) => void = (res) => res.end();
  const server = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => answer(res));
  });
  let origin: string;
  let client: UpstreamHttpClient;
  const call: () => UpstreamRequest = () => ({
    origin,
    path: '/v1/chat/completions',
    traceContext: undefined,
    json: { model: 'm' },
  });
  const declared = (status: number, body: Buffer | string) => (res: ServerResponse) => {
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  };
  const chunked = (status: number, parts: string[]) => (res: ServerResponse) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    for (const part of parts) res.write(part);
    res.end();
  };

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  beforeEach(() => {
    client = clientWith({ maxResponseBytes: 64 });
  });
  afterEach(() => client.onApplicationShutdown());
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it.each([
    ['a declared length', declared(200, '{"a":"\u00e9t\u00e9","n":[1,2]}')],
    ['chunks', chunked(200, ['{"a":"\u00e9', 't\u00e9","n":', '[1,2]}'])],
  ])('parses a JSON answer sent with %s', async (_, how) => {
    answer = how;
    const response = await client.requestJson(call());
    expect(response.body).toEqual({ a: 'été', n: [1, 2] });
  });

  it('decodes UTF-8 split across chunks, and bytes beyond ASCII sent with a declared length', async () => {
    const text = JSON.stringify({ s: 'ü€😀' });
    const bytes = Buffer.from(text);
    answer = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(bytes.subarray(0, 8));
      res.end(bytes.subarray(8));
    };
    expect((await client.requestJson(call())).body).toEqual({ s: 'ü€😀' });
    answer = declared(200, bytes);
    expect((await client.requestJson(call())).body).toEqual({ s: 'ü€😀' });
  });

  it.each([
    [
      'a declared length',
      declared(200, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{}')])),
    ],
    ['chunks', (res: ServerResponse) => chunked(200, ['\ufeff{}'])(res)],
  ])('still refuses a JSON answer led by a byte order mark, sent with %s', async (_, how) => {
    answer = how;
    const error = await failure(client.requestJson(call()));
    expect(error.kind).toBe('malformed_response');
    expect(error.message).toBe('answer body is not valid JSON');
  });

  it.each([
    ['a declared length', declared(200, '   ')],
    ['chunks', chunked(200, [' ', '\n'])],
  ])('calls an empty answer sent with %s empty', async (_, how) => {
    answer = how;
    const error = await failure(client.requestJson(call()));
    expect(error.message).toBe('empty answer body');
  });

  it.each([
    ['exactly at the cap, declared', declared(200, `{"p":"${'x'.repeat(56)}"}`), true],
    ['exactly at the cap, chunked', chunked(200, ['{"p":"', 'x'.repeat(56), '"}']), true],
    ['one byte past it, declared', declared(200, `{"p":"${'x'.repeat(57)}"}`), false],
    ['one byte past it, chunked', chunked(200, ['{"p":"', 'x'.repeat(57), '"}']), false],
  ])('takes a 2xx answer %s only within max-response-bytes', async (_, how, accepted) => {
    answer = how;
    const outcome = client.requestJson(call());
    if (accepted) expect((await outcome).ok).toBe(true);
    else expect((await failure(outcome)).message).toContain('max-response-bytes (64)');
  });

  it.each([
    ['a declared length', (res: ServerResponse) => declared(502, 'e'.repeat(200_000))(res)],
    ['chunks', (res: ServerResponse) => chunked(502, Array(50).fill('e'.repeat(4_000)))(res)],
  ])('cuts an error body sent with %s at 64 KiB and reads no further', async (_, how) => {
    answer = how;
    const response = await client.requestJson(call());
    expect([response.ok, response.status]).toEqual([false, 502]);
    expect(response.body).toBe('e'.repeat(64 * 1024));
    // The connection the cut answer was on is gone; the next call gets a fresh one and answers.
    answer = declared(200, '{"ok":1}');
    expect((await client.requestJson(call())).body).toEqual({ ok: 1 });
  });

  it('skips informational answers (103 Early Hints) and reads the final one', async () => {
    answer = (res) => {
      res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
      declared(200, '{"final":true}')(res);
    };
    const response = await client.requestJson(call());
    expect([response.status, response.body]).toEqual([200, { final: true }]);
  });

  it('aborts a call still queued for a connection when it is cancelled, and sends it never', async () => {
    const single = new UpstreamHttpClient(
      fakeOpenAiConfig('http://unused.invalid/v1', { upstream: { connectionsPerHost: 1 } }),
    );
    let release: () => void = () => undefined;
    let received = 0;
    answer = (res) => {
      received += 1;
      release = () => declared(200, '{"first":true}')(res);
    };
    const first = single.requestJson(call());
    await waitUntil(() => received === 1);
    const cancellation = new CallCancellation();
    const queued = failure(single.requestJson({ ...call(), signal: cancellation }));
    cancellation.abort();
    expect((await queued).kind).toBe('aborted');
    release();
    expect((await first).body).toEqual({ first: true });
    expect(received).toBe(1);
    expect(cancellation.listenerCount('abort')).toBe(0);
    await single.onApplicationShutdown();
  });

  it.each([
    ['a declared length', declared(503, '{"error":{"message":"busy"}}')],
    ['chunks', chunked(503, ['{"error":', '{"message":"busy"}}'])],
  ])('reads an error body sent with %s', async (_, how) => {
    answer = how;
    const response = await client.requestJson(call());
    expect([response.ok, response.status, response.body]).toEqual([
      false,
      503,
      { error: { message: 'busy' } },
    ]);
  });
});

async function openOk(
  client: UpstreamHttpClient,
  request: UpstreamRequest,
): Promise<AsyncIterable<Uint8Array>> {
  const response = await client.openStream(request);
  if (!response.ok) throw new Error(`unexpected status ${response.status}`);
  return response.body;
}

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  if (!condition()) throw new Error('the condition never held');
}
