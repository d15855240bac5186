import { CHATGLM_DIALECT } from '../../fakes/dialects/chatglm.dialect.js';
import { postJson } from '../../helpers/gateway-harness.js';
import { describeOpenAiCompatibleProvider } from '../support/openai-compatible.suite.js';

describeOpenAiCompatibleProvider(
  {
    id: 'chatglm',
    configPath: 'chatglm',
    dialect: CHATGLM_DIALECT,
    env: (fake) => ({ ZHIPU_API_KEY: fake.apiKey, ZHIPU_BASE_URL: fake.baseUrl }),
    model: 'glm-4-plus',
    upstreamModel: 'glm-4-plus',
    chatPath: '/api/paas/v4/chat/completions',
    credential: (fake) => ['authorization', `Bearer ${fake.apiKey}`],
    capabilities: {
      vision: false,
      tools: true,
      jsonObject: true,
      jsonSchema: false,
      maxContextTokens: 128_000,
    },
    // `embedding-3` has no `glm` prefix: a route sends it to ChatGLM.
    gatewayYaml: ['routes:', '  - { model: embedding-3, providers: [{ provider: chatglm }] }'],
    embeddings: {
      model: 'embedding-3',
      upstreamModel: 'embedding-3',
      path: '/api/paas/v4/embeddings',
    },
  },
  (context) => {
    const chat = (extra: object) =>
      postJson(`${context().gw.url}/v1/chat/completions`, {
        model: 'glm-4-plus',
        messages: [{ role: 'user', content: 'Hello' }],
        ...extra,
      });
    const tools = [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }];

    it('sends a single stop sequence as GLM takes it, and refuses several without a call', async () => {
      expect((await chat({ stop: ['END'] })).status).toBe(200);
      expect((context().fake.requests[0].body as { stop: unknown }).stop).toBe('END');
      const refused = await chat({ stop: ['A', 'B'] });
      expect(refused.status).toBe(400);
      expect(refused.body.error).toMatchObject({ code: 'unsupported_capability', param: 'stop' });
      expect(context().fake.requests).toHaveLength(1);
    });

    it("refuses a forced tool_choice GLM cannot honour, and honours 'none' by sending no tools", async () => {
      const refused = await chat({ tools, tool_choice: 'required' });
      expect(refused.status).toBe(400);
      expect(refused.body.error.param).toBe('tool_choice');
      expect(context().fake.requests).toHaveLength(0);
      expect((await chat({ tools, tool_choice: 'none' })).status).toBe(200);
      expect(context().fake.requests[0].body).not.toHaveProperty('tools');
    });

    it("maps GLM's sensitive finish to content_filter", async () => {
      context().fake.setReply({ content: '', finishReason: 'sensitive' });
      const res = await chat({});
      expect(res.status).toBe(200);
      expect(res.body.choices[0].finish_reason).toBe('content_filter');
    });
  },
);
