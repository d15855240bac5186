import {
  AZURE_API_VERSION,
  AZURE_OPENAI_DIALECT,
  azureContentFilterError,
} from '../../fakes/dialects/azure-openai.dialect.js';
import { postJson, readSse, postRaw } from '../../helpers/gateway-harness.js';
import { describeOpenAiCompatibleProvider } from '../support/openai-compatible.suite.js';

describeOpenAiCompatibleProvider(
  {
    id: 'azure-openai',
    configPath: 'azure-openai',
    dialect: AZURE_OPENAI_DIALECT,
    env: (fake) => ({ AZURE_OPENAI_API_KEY: fake.apiKey, AZURE_OPENAI_BASE_URL: fake.baseUrl }),
    providerYaml: () => ['deployments: [gpt4o-prod, embed-small]'],
    model: 'azure/gpt4o-prod',
    upstreamModel: 'gpt4o-prod',
    modelInPath: true,
    chatPath: '/openai/deployments/gpt4o-prod/chat/completions',
    credential: (fake) => ['api-key', fake.apiKey],
    capabilities: {
      vision: true,
      tools: true,
      jsonObject: true,
      jsonSchema: true,
      maxContextTokens: 128_000,
    },
    embeddings: {
      model: 'azure/embed-small',
      upstreamModel: 'embed-small',
      path: '/openai/deployments/embed-small/embeddings',
    },
  },
  (context) => {
    const hello = { model: 'azure/gpt4o-prod', messages: [{ role: 'user', content: 'Hello' }] };

    it('sends the api-version query and the api-key header, never a Bearer token', async () => {
      const { gw, fake } = context();
      const res = await postJson(`${gw.url}/v1/chat/completions`, hello);
      expect(res.status).toBe(200);
      const received = fake.requests[0];
      expect(new URL(received.path, 'http://x').searchParams.get('api-version')).toBe(
        AZURE_API_VERSION,
      );
      expect(received.headers.authorization).toBeUndefined();
      expect(res.headers.get('x-gateway-model')).toBe('gpt4o-prod');
    });

    it("drops Azure's filter-only first chunk: every chunk the caller sees has a choice", async () => {
      const { gw } = context();
      const res = await postRaw(`${gw.url}/v1/chat/completions`, { ...hello, stream: true });
      const { data } = await readSse(res);
      const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
      expect(chunks.length).toBeGreaterThan(1);
      for (const chunk of chunks) {
        expect(chunk.choices.length).toBe(1);
        expect(chunk.id).not.toBe('');
        expect(chunk).not.toHaveProperty('prompt_filter_results');
        expect(chunk.choices[0]).not.toHaveProperty('content_filter_results');
      }
      expect(chunks[0].choices[0].delta.role).toBe('assistant');
    });

    it('maps a content-filter refusal (400 with innererror) to provider_rejected_request', async () => {
      const { gw, fake } = context();
      fake.failNext(400, { body: azureContentFilterError() });
      const res = await postJson(`${gw.url}/v1/chat/completions`, hello);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('provider_rejected_request');
      expect(JSON.stringify(res.body)).not.toContain('ResponsibleAIPolicyViolation');
    });

    it("forwards Azure's own 429 (retry-after-ms) as Retry-After in seconds", async () => {
      const { gw, fake } = context();
      fake.failNext(429);
      const res = await postJson(`${gw.url}/v1/chat/completions`, hello);
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('6');
    });
  },
);
