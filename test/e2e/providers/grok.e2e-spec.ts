import { GROK_DIALECT } from '../../fakes/dialects/grok.dialect.js';
import { postJson } from '../../helpers/gateway-harness.js';
import { describeOpenAiCompatibleProvider } from '../support/openai-compatible.suite.js';

describeOpenAiCompatibleProvider(
  {
    id: 'grok',
    configPath: 'grok',
    dialect: GROK_DIALECT,
    env: (fake) => ({ XAI_API_KEY: fake.apiKey, XAI_BASE_URL: fake.baseUrl }),
    model: 'grok-4',
    upstreamModel: 'grok-4',
    chatPath: '/v1/chat/completions',
    credential: (fake) => ['authorization', `Bearer ${fake.apiKey}`],
    capabilities: {
      vision: true,
      tools: true,
      jsonObject: true,
      jsonSchema: true,
      maxContextTokens: 256_000,
    },
  },
  (context) => {
    it('counts reasoning tokens inside completion_tokens, so the usage adds up as OpenAI’s does', async () => {
      context().fake.setReply({
        content: 'Four.',
        reasoning: 'Adding two and two.',
        usage: { prompt_tokens: 291, completion_tokens: 26, reasoning_tokens: 189 },
      });
      const res = await postJson(`${context().gw.url}/v1/chat/completions`, {
        model: 'grok-3-mini',
        messages: [{ role: 'user', content: '2+2?' }],
      });
      expect(res.status).toBe(200);
      expect(res.body.usage).toMatchObject({
        prompt_tokens: 291,
        completion_tokens: 215,
        total_tokens: 506,
        completion_tokens_details: { reasoning_tokens: 189 },
      });
    });
  },
);
