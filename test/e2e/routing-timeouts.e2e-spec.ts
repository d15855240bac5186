import { FAKE_OPENAI_API_KEY, FakeOpenAiServer } from '../fakes/fake-openai.server.js';
import {
  type GatewayUnderTest,
  readJson,
  readSse,
  startGateway,
  postRaw,
} from '../helpers/gateway-harness.js';

/**
 * Per-provider timeouts and cancellation (contract sections 4.3 and 6), end to end: OpenAI gets a
 * 300 ms whole-call and idle limit, 2 attempts in all, and no breaker (hung calls would open it).
 */
describe('routing: timeouts and cancellation', () => {
  const openai = new FakeOpenAiServer();
  let gw: GatewayUnderTest;
  const LIMIT_MS = 300;
  const hello = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hello' }] };
  const post = (body: object, signal?: AbortSignal) =>
    postRaw(`${gw.url}/v1/chat/completions`, body, signal);
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

  beforeAll(async () => {
    await openai.start();
    gw = await startGateway({
      env: { OPENAI_API_KEY: FAKE_OPENAI_API_KEY, OPENAI_BASE_URL: openai.baseUrl },
      yaml: `
gateway:
  providers:
    openai:
      resilience:
        retry: { max-attempts: 2, initial-delay-ms: 20, jitter: false }
        circuit-breaker: { enabled: false }
        timeout: { request-ms: ${LIMIT_MS}, stream-idle-ms: ${LIMIT_MS} }
`,
    });
  });
  afterEach(() => openai.reset());
  afterAll(async () => {
    await gw.close();
    await openai.close();
  });

  it('cuts a stream that falls silent after its first chunk at the idle timeout, with an error frame', async () => {
    openai.stallStreamNext(1);
    const res = await post({ ...hello, stream: true });
    expect(res.status).toBe(200);
    const { data } = await readSse(res);
    const last = JSON.parse(data[data.length - 1]);
    expect(last.error.code).toBe('provider_error');
    expect(last.error.message).toContain(`no data for ${LIMIT_MS} ms`);
    // The gateway hung up on the silent upstream, and did not call it again mid-stream.
    await openai.waitForClientDisconnects(1);
    expect(openai.requests).toHaveLength(1);
  });

  it('retries a stream that stays silent before its first chunk, then answers with an HTTP error', async () => {
    openai.stallStreamNext(0).stallStreamNext(0);
    const res = await post({ ...hello, stream: true });
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect((await readJson(res)).error.code).toBe('provider_error');
    expect(openai.requests).toHaveLength(2);
  });

  it('cuts a hung non-streaming call at the request timeout, retrying it once', async () => {
    openai.hangNext().hangNext();
    const res = await post(hello);
    expect(res.status).toBe(502);
    const body = await readJson(res);
    expect(body.error.code).toBe('provider_error');
    expect(body.error.message).toMatch(/timed out/);
    await openai.waitForClientDisconnects(2);
    expect(openai.requests).toHaveLength(2);
  });

  it('aborts the upstream call at once when the client disconnects, and never retries it', async () => {
    openai.hangNext();
    const controller = new AbortController();
    const pending = post(hello, controller.signal).catch(() => undefined);
    await openai.waitForRequests(1);
    controller.abort();
    await pending;
    await openai.waitForClientDisconnects(1);
    // Well past the request timeout plus the retry delay: a retry would have arrived by now.
    await pause(LIMIT_MS + 200);
    expect(openai.requests).toHaveLength(1);
  });

  it('aborts the upstream stream when the client disconnects mid-stream, and never retries it', async () => {
    openai.stallStreamNext(1);
    const controller = new AbortController();
    const res = await post({ ...hello, stream: true }, controller.signal);
    await res.body!.getReader().read();
    controller.abort();
    await openai.waitForClientDisconnects(1);
    expect(openai.clientDisconnects[0]).toMatchObject({ path: '/v1/chat/completions' });
    await pause(LIMIT_MS + 200);
    expect(openai.requests).toHaveLength(1);
  });

  it('aborts a stream that has not started yet when the client disconnects', async () => {
    openai.stallStreamNext(0);
    const controller = new AbortController();
    const pending = post({ ...hello, stream: true }, controller.signal).catch(() => undefined);
    await openai.waitForRequests(1);
    controller.abort();
    await pending;
    await openai.waitForClientDisconnects(1);
    await pause(LIMIT_MS + 200);
    expect(openai.requests).toHaveLength(1);
  });
});
