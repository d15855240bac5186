import { OLLAMA_DIALECT } from '../../fakes/dialects/ollama.dialect.js';
import { postJson } from '../../helpers/gateway-harness.js';
import { describeOpenAiCompatibleProvider } from '../support/openai-compatible.suite.js';

describeOpenAiCompatibleProvider(
  {
    id: 'ollama',
    configPath: 'ollama',
    dialect: OLLAMA_DIALECT,
    env: (fake) => ({ OLLAMA_ENABLED: 'true', OLLAMA_BASE_URL: fake.baseUrl }),
    providerYaml: () => ['models: [llama3.2, nomic-embed-text]'],
    model: 'ollama/llama3.2',
    upstreamModel: 'llama3.2',
    chatPath: '/v1/chat/completions',
    // Ollama has no credential: the gateway sends none.
    credential: undefined,
    capabilities: {
      vision: false,
      tools: false,
      jsonObject: false,
      jsonSchema: false,
      maxContextTokens: 32_000,
    },
    embeddings: {
      model: 'ollama/nomic-embed-text',
      upstreamModel: 'nomic-embed-text',
      path: '/v1/embeddings',
    },
  },
  (context) => {
    it('sends no Authorization header to the local server', async () => {
      const res = await postJson(`${context().gw.url}/v1/chat/completions`, {
        model: 'ollama/llama3.2',
        messages: [{ role: 'user', content: 'Hello' }],
      });
      expect(res.status).toBe(200);
      expect(context().fake.requests[0].headers.authorization).toBeUndefined();
    });

    it('refuses response_format with 400 unsupported_response_format, as the seed says', async () => {
      for (const type of ['json_object', 'json_schema']) {
        const format =
          type === 'json_object' ? { type } : { type, json_schema: { name: 'x', schema: {} } };
        const res = await postJson(`${context().gw.url}/v1/chat/completions`, {
          model: 'ollama/llama3.2',
          messages: [{ role: 'user', content: 'JSON please' }],
          response_format: format,
        });
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('unsupported_response_format');
      }
      expect(context().fake.requests).toHaveLength(0);
    });
  },
);
