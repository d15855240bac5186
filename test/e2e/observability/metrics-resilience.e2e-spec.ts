import { FAKE_OPENAI_API_KEY, FakeOpenAiServer } from '../../fakes/fake-openai.server.js';
import { type GatewayUnderTest, postJson, startGateway } from '../../helpers/gateway-harness.js';
import { ask, scrapeSettled, streamChat } from '../../helpers/metrics-scrape.js';
import { samplesOf, type Scrape, sumOf, valueOf } from '../../helpers/prometheus-text.js';

/** Metrics of what routing and resilience do (contract 14, section 6): a fake OpenAI upstream. */
describe('metrics of upstream failures (contract 14)', () => {
  describe('upstream failures, retries, fallbacks and circuit breakers', () => {
    const openai = new FakeOpenAiServer();
    let gw: GatewayUnderTest;
    let m: Scrape;

    beforeAll(async () => {
      await openai.start();
      gw = await startGateway({
        env: {
          MOCK_PROVIDER_ENABLED: 'true',
          OPENAI_API_KEY: FAKE_OPENAI_API_KEY,
          OPENAI_BASE_URL: openai.baseUrl,
        },
        yaml: `
gateway:
  providers:
    mock: { latency-ms: 0, stream-token-delay-ms: 0 }
    openai:
      resilience:
        retry: { max-attempts: 2, initial-delay-ms: 10, jitter: false }
        circuit-breaker: { failure-rate-threshold: 1, sliding-window-size: 2, minimum-calls: 2 }
  routes:
    - model: gpt-*
      providers: [{ provider: openai }]
      fallbacks: [{ provider: mock, model: mock/echo }]
`,
      });
      const chat = `${gw.url}/v1/chat/completions`;
      // Answered by OpenAI, at a model no price list knows.
      expect((await postJson(chat, ask('gpt-metrics-unpriced', 'hi'))).status).toBe(200);
      // A stream that fails after its first byte: one provider error, no attempt failed before it.
      openai.streamErrorNext(2);
      expect(await streamChat(gw, ask('gpt-4o', 'hi', { stream: true }), {})).toBe(200);
      // Two failed attempts (one retry), then the fallback answers; the breaker opens.
      openai.failNext(503, { times: 2 });
      const fellBack = await postJson(chat, ask('gpt-4o', 'hi'));
      expect(fellBack.status).toBe(200);
      expect(fellBack.headers.get('x-gateway-provider')).toBe('mock');
      ({ scrape: m } = await scrapeSettled(gw, 3));
    });
    afterAll(async () => {
      await gw.close();
      await openai.close();
    });

    it('counts every failed attempt and every failure after a stream began, by provider and code', () => {
      expect(
        valueOf(m, 'gateway_provider_errors_total', { provider: 'openai', code: 'provider_error' }),
      ).toBe(3);
      expect(sumOf(m, 'gateway_provider_errors_total')).toBe(3);
      expect(
        valueOf(m, 'gateway_requests_total', {
          tenant: 'default',
          provider: 'openai',
          model: 'gpt-4o',
          status: '200',
          code: 'provider_error',
        }),
      ).toBe(1);
    });

    it('counts retries, fallbacks, unpriced calls and reports the opened breaker', () => {
      expect(valueOf(m, 'gateway_retries_total', { provider: 'openai' })).toBe(1);
      expect(valueOf(m, 'gateway_fallbacks_total', { from: 'openai', to: 'mock' })).toBe(1);
      expect(valueOf(m, 'gateway_unpriced_calls_total', {})).toBe(1);
      expect(valueOf(m, 'gateway_circuit_state', { provider: 'openai' })).toBe(2);
      // The mock is never wrapped in a breaker: nothing to report for it.
      expect(samplesOf(m, 'gateway_circuit_state', { provider: 'mock' })).toHaveLength(0);
    });
  });
});
