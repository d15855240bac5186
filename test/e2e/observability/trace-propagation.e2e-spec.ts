import { FAKE_ANTHROPIC_API_KEY, FakeAnthropicServer } from '../../fakes/fake-anthropic.server.js';
import {
  FAKE_AWS_ACCESS_KEY_ID,
  FAKE_AWS_REGION,
  FAKE_AWS_SECRET_ACCESS_KEY,
  FakeBedrockServer,
} from '../../fakes/fake-bedrock.server.js';
import { FAKE_OPENAI_API_KEY, FakeOpenAiServer } from '../../fakes/fake-openai.server.js';
import {
  FakeOtlpCollector,
  type ReceivedSpan,
  SPAN_KIND,
} from '../../fakes/fake-otlp-collector.js';
import { type GatewayUnderTest, startGateway } from '../../helpers/gateway-harness.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_SPAN_ID = '00f067aa0ba902b7';
const INCOMING = `00-${TRACE_ID}-${PARENT_SPAN_ID}-01`;
const TRACESTATE = 'vendorx=opaque-value,congo=t61rcWkgMzE';
const BEDROCK_MODEL = 'bedrock/anthropic.claude-3-sonnet-20240229-v1:0';
const CLAUDE = 'claude-haiku-4-5';

/** The client spans of one call, in the order they started, found by its X-Trace-ID. */
function clientSpans(spans: readonly ReceivedSpan[], gatewayTraceId: string): ReceivedSpan[] {
  const server = spans.find(
    (s) => s.kind === SPAN_KIND.SERVER && s.attributes['gateway.trace_id'] === gatewayTraceId,
  );
  if (server === undefined) return [];
  return spans.filter((s) => s.kind === SPAN_KIND.CLIENT && s.parentSpanId === server.spanId);
}

/** Reads an SSE answer to its end. */
async function drain(res: Response): Promise<string> {
  expect(res.status).toBe(200);
  return res.text();
}

/**
 * W3C Trace Context towards the providers (contract 14): with tracing on, each upstream attempt
 * is sent with a `traceparent` naming its client span (and the caller's `tracestate`), on every
 * adapter path: the shared HTTP client (JSON and streams), the Bedrock SDK (signed), the Anthropic
 * Messages passthrough. With tracing off nothing is added.
 */
describe('trace context sent upstream', () => {
  const openai = new FakeOpenAiServer();
  const bedrock = new FakeBedrockServer();
  const anthropic = new FakeAnthropicServer();
  const collector = new FakeOtlpCollector();
  let env: Record<string, string> = {};

  beforeAll(async () => {
    await openai.start();
    await anthropic.start();
    const { endpoint } = await bedrock.start();
    const { url } = await collector.start();
    env = {
      OPENAI_API_KEY: FAKE_OPENAI_API_KEY,
      OPENAI_BASE_URL: openai.baseUrl,
      ANTHROPIC_API_KEY: FAKE_ANTHROPIC_API_KEY,
      ANTHROPIC_BASE_URL: anthropic.baseUrl,
      BEDROCK_ENABLED: 'true',
      AWS_ACCESS_KEY_ID: FAKE_AWS_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: FAKE_AWS_SECRET_ACCESS_KEY,
      AWS_REGION: FAKE_AWS_REGION,
      BEDROCK_ENDPOINT: endpoint,
      OTEL_EXPORTER_OTLP_ENDPOINT: url,
      OTEL_BSP_SCHEDULE_DELAY: '50',
    };
  });
  afterEach(() => {
    openai.reset();
    bedrock.reset();
    anthropic.reset();
  });
  afterAll(async () => {
    await openai.close();
    await bedrock.close();
    await anthropic.close();
    await collector.close();
  });

  const ROUTES = `
gateway:
  pii:
    scan-responses: false
  routes:
    - model: ${CLAUDE}
      providers:
        - provider: anthropic
`;

  describe('with tracing on', () => {
    let gw: GatewayUnderTest;
    beforeAll(async () => {
      gw = await startGateway({ singleAttempt: true, env, yaml: ROUTES });
    });
    afterAll(() => gw.close());

    const post = (path: string, body: object, traceId: string, extra = {}) =>
      fetch(`${gw.url}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          traceparent: INCOMING,
          tracestate: TRACESTATE,
          'x-trace-id': traceId,
          ...extra,
        },
        body: JSON.stringify(body),
      });

    /** The upstream got the attempt's own span id, in the caller's trace, and its tracestate. */
    async function expectPropagated(traceId: string, headers: Record<string, unknown>) {
      await collector.waitFor((spans) => clientSpans(spans, traceId).length === 1);
      const [client] = clientSpans(collector.spans, traceId);
      expect(client.traceId).toBe(TRACE_ID);
      expect(headers.traceparent).toBe(`00-${TRACE_ID}-${client.spanId}-01`);
      expect(client.spanId).not.toBe(PARENT_SPAN_ID);
      expect(headers.tracestate).toBe(TRACESTATE);
    }

    it('the shared HTTP client: a JSON call and a stream', async () => {
      const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
      const res = await post('/v1/chat/completions', chat, 'prop-openai-json');
      expect(res.status).toBe(200);
      await res.arrayBuffer();
      await expectPropagated('prop-openai-json', openai.requests.at(-1)!.headers);

      const streamed = await post('/v1/chat/completions', { ...chat, stream: true }, 'prop-sse');
      await drain(streamed);
      await expectPropagated('prop-sse', openai.requests.at(-1)!.headers);

      const embeddings = await post(
        '/v1/embeddings',
        { model: 'text-embedding-3-small', input: 'hi' },
        'prop-embeddings',
      );
      expect(embeddings.status).toBe(200);
      await embeddings.arrayBuffer();
      await expectPropagated('prop-embeddings', openai.requests.at(-1)!.headers);
    });

    it('the Bedrock SDK: Converse and ConverseStream, the headers signed with the request', async () => {
      const chat = { model: BEDROCK_MODEL, messages: [{ role: 'user', content: 'hi' }] };
      const res = await post('/v1/chat/completions', chat, 'prop-bedrock');
      // The fake checks SigV4: a header added after signing would have been refused.
      expect(res.status).toBe(200);
      await res.arrayBuffer();
      const converse = bedrock.requests.at(-1)!;
      await expectPropagated('prop-bedrock', converse.headers);
      // The semantic conventions' name of the vendor, and the gateway's own id beside it.
      const [client] = clientSpans(collector.spans, 'prop-bedrock');
      expect(client.attributes).toMatchObject({
        'gen_ai.provider.name': 'aws.bedrock',
        'gateway.provider.id': 'bedrock',
      });
      expect(String(converse.headers.authorization)).toMatch(/SignedHeaders=[^,]*traceparent/);

      await drain(await post('/v1/chat/completions', { ...chat, stream: true }, 'prop-bedrock-s'));
      await expectPropagated('prop-bedrock-s', bedrock.requests.at(-1)!.headers);
    });

    it('the Anthropic Messages passthrough (JSON and stream) and the translating adapter', async () => {
      const body = { model: CLAUDE, max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] };
      const version = { 'anthropic-version': '2023-06-01' };
      const res = await post('/v1/messages', body, 'prop-messages', version);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
      await expectPropagated('prop-messages', anthropic.requests.at(-1)!.headers);

      await drain(await post('/v1/messages', { ...body, stream: true }, 'prop-msg-s', version));
      await expectPropagated('prop-msg-s', anthropic.requests.at(-1)!.headers);

      // The same model through the OpenAI surface: the translating Anthropic adapter.
      const chat = { model: CLAUDE, messages: [{ role: 'user', content: 'hi' }] };
      const translated = await post('/v1/chat/completions', chat, 'prop-anthropic');
      expect(translated.status).toBe(200);
      await translated.arrayBuffer();
      await expectPropagated('prop-anthropic', anthropic.requests.at(-1)!.headers);
    });

    it('a new span per attempt: a retried call sends each attempt its own span id', async () => {
      const retrying = await startGateway({
        env,
        yaml: `${ROUTES}
  resilience:
    retry: { max-attempts: 2, initial-delay-ms: 1, max-delay-ms: 1 }
    circuit-breaker: { enabled: false }
`,
      });
      try {
        openai.failNext(503);
        const res = await fetch(`${retrying.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-trace-id': 'prop-retry' },
          body: JSON.stringify({
            model: 'gpt-4o-mini',
            messages: [{ role: 'user', content: 'hi' }],
          }),
        });
        expect(res.status).toBe(200);
        await res.arrayBuffer();
        await collector.waitFor((spans) => clientSpans(spans, 'prop-retry').length === 2);
        const spans = clientSpans(collector.spans, 'prop-retry');
        const sent = openai.requests.map((r) => r.headers.traceparent);
        expect(sent).toHaveLength(2);
        // No incoming traceparent: the gateway's own trace, one span id per attempt.
        expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
        expect(sent.sort()).toEqual(spans.map((s) => `00-${s.traceId}-${s.spanId}-01`).sort());
        expect(openai.requests.every((r) => r.headers.tracestate === undefined)).toBe(true);
      } finally {
        await retrying.close();
      }
    });
  });

  describe('with tracing off', () => {
    it('sends neither traceparent nor tracestate, whatever the caller sent', async () => {
      const { OTEL_EXPORTER_OTLP_ENDPOINT: _endpoint, ...untraced } = env;
      const gw = await startGateway({ singleAttempt: true, env: untraced, yaml: ROUTES });
      try {
        const headers = {
          'content-type': 'application/json',
          traceparent: INCOMING,
          tracestate: TRACESTATE,
        };
        const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
        for (const body of [chat, { ...chat, stream: true }, { ...chat, model: BEDROCK_MODEL }]) {
          const res = await fetch(`${gw.url}/v1/chat/completions`, {
            method: 'POST',
            headers,
            body: JSON.stringify(body),
          });
          expect(res.status).toBe(200);
          await res.arrayBuffer();
        }
        const messages = await fetch(`${gw.url}/v1/messages`, {
          method: 'POST',
          headers: { ...headers, 'anthropic-version': '2023-06-01' },
          body: JSON.stringify({ model: CLAUDE, max_tokens: 64, messages: chat.messages }),
        });
        expect(messages.status).toBe(200);
        await messages.arrayBuffer();
        const received = [...openai.requests, ...bedrock.requests, ...anthropic.requests];
        expect(received).toHaveLength(4);
        for (const request of received) {
          expect(request.headers.traceparent).toBeUndefined();
          expect(request.headers.tracestate).toBeUndefined();
        }
      } finally {
        await gw.close();
      }
    });
  });
});
