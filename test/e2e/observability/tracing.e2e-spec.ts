import { setTimeout as sleep } from 'node:timers/promises';
import { FAKE_OPENAI_API_KEY, FakeOpenAiServer } from '../../fakes/fake-openai.server.js';
import {
  FakeOtlpCollector,
  type ReceivedSpan,
  SPAN_KIND,
  STATUS_CODE,
} from '../../fakes/fake-otlp-collector.js';
import { type GatewayProcess, spawnGateway } from '../../helpers/gateway-process.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_SPAN_ID = '00f067aa0ba902b7';
const PROMPT = 'a prompt that must never become a span attribute';

/** The spans of one call: its server span (by X-Trace-ID) and that span's children. */
function callSpans(spans: readonly ReceivedSpan[], traceId: string) {
  const server = spans.find(
    (s) => s.kind === SPAN_KIND.SERVER && s.attributes['gateway.trace_id'] === traceId,
  );
  const clients =
    server === undefined
      ? []
      : spans.filter((s) => s.kind === SPAN_KIND.CLIENT && s.parentSpanId === server.spanId);
  return { server, clients };
}

function post(gateway: GatewayProcess, path: string, body: object, headers = {}) {
  return fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** Spans exported promptly, so the tests wait for a batch, not for the default 5 s. */
const FAST_BATCHES = { OTEL_BSP_SCHEDULE_DELAY: '50' };

/**
 * Traces of a real gateway process (contract 14) against a fake OTLP/HTTP collector: a server
 * span per /v1 call continuing the caller's `traceparent`, a client span per upstream attempt with
 * the GenAI attributes, in either OTLP encoding; nothing at all without an endpoint.
 */
describe('tracing of a gateway process', () => {
  const upstream = new FakeOpenAiServer();
  const collector = new FakeOtlpCollector();
  let collectorUrl = '';
  let upstreamUrl = '';

  beforeAll(async () => {
    upstreamUrl = (await upstream.start()).baseUrl;
    collectorUrl = (await collector.start()).url;
  });
  afterEach(() => upstream.reset());
  afterAll(async () => {
    await upstream.close();
    await collector.close();
  });

  const gatewayEnv = (extra: Record<string, string>) => ({
    GATEWAY_DATABASE_URL: 'sqlite::memory:',
    OPENAI_API_KEY: FAKE_OPENAI_API_KEY,
    OPENAI_BASE_URL: upstreamUrl,
    ...FAST_BATCHES,
    ...extra,
  });

  describe('over http/protobuf (the default) at OTEL_EXPORTER_OTLP_ENDPOINT', () => {
    let gateway: GatewayProcess;
    beforeAll(async () => {
      gateway = await spawnGateway(
        gatewayEnv({
          OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl,
          OTEL_SERVICE_NAME: 'gw-under-test',
        }),
      );
    });
    afterAll(() => gateway.stop());

    it('continues the caller traceparent: server span, then a client span per attempt with GenAI attributes', async () => {
      const res = await post(
        gateway,
        '/v1/chat/completions',
        {
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: PROMPT }],
          max_tokens: 64,
          temperature: 0.3,
        },
        { traceparent: `00-${TRACE_ID}-${PARENT_SPAN_ID}-01`, 'x-trace-id': 'trace-json-1' },
      );
      expect(res.status).toBe(200);
      const answer = (await res.json()) as { id: string };
      await collector.waitFor((spans) => callSpans(spans, 'trace-json-1').clients.length === 1);
      const { server, clients } = callSpans(collector.spans, 'trace-json-1');
      expect(collector.exports[0]).toMatchObject({
        path: '/v1/traces',
        contentType: 'application/x-protobuf',
      });

      expect(server).toMatchObject({
        traceId: TRACE_ID,
        parentSpanId: PARENT_SPAN_ID,
        name: 'POST /v1/chat/completions',
        statusCode: STATUS_CODE.UNSET,
        resource: { 'service.name': 'gw-under-test' },
        attributes: {
          'http.request.method': 'POST',
          'http.route': '/v1/chat/completions',
          'url.path': '/v1/chat/completions',
          'http.response.status_code': 200,
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.request.max_tokens': 64,
          'gen_ai.request.temperature': 0.3,
          'gen_ai.provider.name': 'openai',
          'gateway.provider.id': 'openai',
          'gen_ai.response.model': 'gpt-4o-mini',
          'gateway.tenant.id': 'default',
        },
      });
      expect(server!.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);

      const [client] = clients;
      expect(client).toMatchObject({
        traceId: TRACE_ID,
        name: 'chat gpt-4o-mini',
        statusCode: STATUS_CODE.UNSET,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'openai',
          'gateway.provider.id': 'openai',
          'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.request.max_tokens': 64,
          'gen_ai.request.temperature': 0.3,
          'gen_ai.response.model': 'gpt-4o-mini',
          'gen_ai.response.id': answer.id,
          'gen_ai.response.finish_reasons': ['stop'],
          'server.address': '127.0.0.1',
        },
      });
      expect(client.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
      expect(client.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
      expect(JSON.stringify(collector.spans)).not.toContain(PROMPT);
      expect(gateway.output.join('\n')).toContain('Tracing on: spans go to');
    });

    it('gives each retry its own client span, the failed one marked with its error', async () => {
      upstream.plan({ kind: 'fail', status: 503, body: { error: { message: 'busy' } } });
      const res = await post(
        gateway,
        '/v1/chat/completions',
        { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] },
        { 'x-trace-id': 'trace-retry-1' },
      );
      expect(res.status).toBe(200);
      await collector.waitFor((spans) => callSpans(spans, 'trace-retry-1').clients.length === 2);
      const { server, clients } = callSpans(collector.spans, 'trace-retry-1');
      // No traceparent: the gateway starts a trace of its own.
      expect(server!.parentSpanId).toBe('');
      const failed = clients.filter((c) => c.statusCode === STATUS_CODE.ERROR);
      const answered = clients.filter((c) => c.statusCode === STATUS_CODE.UNSET);
      expect(failed).toHaveLength(1);
      expect(failed[0].attributes['error.type']).toBe('provider_error');
      expect(answered).toHaveLength(1);
      expect(answered[0].attributes['gen_ai.response.finish_reasons']).toEqual(['stop']);
    });

    it("ends a stream's spans when the stream ends, with the usage metering saw", async () => {
      const res = await post(
        gateway,
        '/v1/chat/completions',
        { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] },
        { 'x-trace-id': 'trace-stream-1' },
      );
      expect(res.status).toBe(200);
      await res.text();
      await collector.waitFor((spans) => callSpans(spans, 'trace-stream-1').clients.length === 1);
      const { server, clients } = callSpans(collector.spans, 'trace-stream-1');
      expect(server!.attributes['http.response.status_code']).toBe(200);
      expect(clients[0].attributes).toMatchObject({
        'gen_ai.response.finish_reasons': ['stop'],
        'gen_ai.response.model': 'gpt-4o-mini',
      });
      expect(clients[0].attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    });

    it("ends a stream's spans when the client leaves, marked so", async () => {
      upstream.stallStreamNext(1);
      const controller = new AbortController();
      const res = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-trace-id': 'trace-gone-1' },
        body: JSON.stringify({
          model: 'gpt-4o-mini',
          stream: true,
          messages: [{ role: 'user', content: 'hi' }],
        }),
        signal: controller.signal,
      });
      await res.body!.getReader().read();
      controller.abort();
      await collector.waitFor((spans) => callSpans(spans, 'trace-gone-1').clients.length === 1);
      const { server, clients } = callSpans(collector.spans, 'trace-gone-1');
      expect(server!.attributes['gateway.client_gone']).toBe(true);
      expect(clients[0].attributes['gateway.client_gone']).toBe(true);
      expect(clients[0].statusCode).toBe(STATUS_CODE.UNSET);
    });

    it('names an embeddings attempt after its operation', async () => {
      const res = await post(
        gateway,
        '/v1/embeddings',
        { model: 'text-embedding-3-small', input: 'hello' },
        { 'x-trace-id': 'trace-embed-1' },
      );
      expect(res.status).toBe(200);
      await collector.waitFor((spans) => callSpans(spans, 'trace-embed-1').clients.length === 1);
      const { server, clients } = callSpans(collector.spans, 'trace-embed-1');
      expect(server).toMatchObject({
        name: 'POST /v1/embeddings',
        attributes: { 'gen_ai.operation.name': 'embeddings' },
      });
      expect(clients[0]).toMatchObject({
        name: 'embeddings text-embedding-3-small',
        attributes: { 'gen_ai.operation.name': 'embeddings', 'gen_ai.provider.name': 'openai' },
      });
    });

    it('traces a refusal: a server span with its code and no upstream attempt', async () => {
      const res = await post(
        gateway,
        '/v1/chat/completions',
        { model: 'gpt-4o-mini', messages: 'not a list' },
        { 'x-trace-id': 'trace-refused-1' },
      );
      expect(res.status).toBe(400);
      await collector.waitFor((spans) => callSpans(spans, 'trace-refused-1').server !== undefined);
      const { server, clients } = callSpans(collector.spans, 'trace-refused-1');
      expect(server!.attributes).toMatchObject({
        'http.response.status_code': 400,
        'error.type': 'validation_error',
      });
      expect(server!.statusCode).toBe(STATUS_CODE.UNSET);
      expect(clients).toEqual([]);
    });

    it('marks a failed call error on both spans', async () => {
      upstream.plan({ kind: 'fail', status: 400, body: { error: { message: 'bad' } } });
      const res = await post(
        gateway,
        '/v1/chat/completions',
        { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] },
        { 'x-trace-id': 'trace-failed-1' },
      );
      expect(res.status).toBe(400);
      await collector.waitFor((spans) => callSpans(spans, 'trace-failed-1').clients.length === 1);
      const { server, clients } = callSpans(collector.spans, 'trace-failed-1');
      expect(server!.attributes['error.type']).toBe('provider_rejected_request');
      expect(clients[0].statusCode).toBe(STATUS_CODE.ERROR);
      expect(clients[0].attributes['error.type']).toBe('provider_rejected_request');
    });
  });

  describe('over http/json at OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', () => {
    let gateway: GatewayProcess;
    beforeAll(async () => {
      gateway = await spawnGateway(
        gatewayEnv({
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${collectorUrl}/custom/traces`,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
          OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-token=s3cr3t%20value',
        }),
      );
    });
    afterAll(() => gateway.stop());

    it('exports the same spans as JSON, with the configured headers, to the URL as given', async () => {
      const res = await post(
        gateway,
        '/v1/chat/completions',
        { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] },
        { traceparent: `00-${TRACE_ID}-${PARENT_SPAN_ID}-01`, 'x-trace-id': 'trace-json-proto' },
      );
      expect(res.status).toBe(200);
      await collector.waitFor((spans) => callSpans(spans, 'trace-json-proto').clients.length === 1);
      const exported = collector.exports.filter((e) => e.path === '/custom/traces');
      expect(exported.length).toBeGreaterThan(0);
      expect(exported[0].contentType).toMatch(/^application\/json/);
      expect(exported[0].headers['x-collector-token']).toBe('s3cr3t value');
      const { server, clients } = callSpans(collector.spans, 'trace-json-proto');
      expect(server).toMatchObject({ traceId: TRACE_ID, parentSpanId: PARENT_SPAN_ID });
      expect(clients[0]).toMatchObject({
        traceId: TRACE_ID,
        name: 'chat gpt-4o-mini',
        attributes: {
          'gen_ai.provider.name': 'openai',
          'gateway.provider.id': 'openai',
          'gen_ai.response.finish_reasons': ['stop'],
        },
      });
      expect(collector.failures).toEqual([]);
      expect(gateway.output.join('\n')).not.toContain('s3cr3t');
    });
  });

  describe('turned off', () => {
    /** One answered call through a gateway started with `env`; what it wrote. */
    async function callThrough(env: Record<string, string>, traceId: string) {
      const gateway = await spawnGateway(gatewayEnv(env));
      try {
        const res = await post(
          gateway,
          '/v1/chat/completions',
          { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] },
          { traceparent: `00-${TRACE_ID}-${PARENT_SPAN_ID}-01`, 'x-trace-id': traceId },
        );
        expect(res.status).toBe(200);
        await res.text();
        // Many batch intervals (50 ms): a traced gateway would have exported by now.
        await sleep(500);
      } finally {
        await gateway.stop();
      }
      return gateway.output.join('\n');
    }

    it.each([
      ['OTEL_SDK_DISABLED=true', { OTEL_SDK_DISABLED: 'true' }],
      ['OTEL_TRACES_EXPORTER=none', { OTEL_TRACES_EXPORTER: 'none' }],
    ])('with an endpoint but %s, sends the collector nothing', async (_, off) => {
      const before = collector.exports.length;
      const output = await callThrough(
        { OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl, ...off },
        `trace-off-${collector.exports.length}`,
      );
      expect(collector.exports.length).toBe(before);
      expect(output).not.toContain('Tracing on');
    });

    it('without an endpoint, is off (no exporter started, nothing said of it)', async () => {
      const output = await callThrough({ OTEL_SERVICE_NAME: 'gw-untraced' }, 'trace-off-none');
      expect(output).not.toContain('Tracing');
      expect(collector.spans.some((s) => s.resource['service.name'] === 'gw-untraced')).toBe(false);
    });
  });
});
