import { DEEPSEEK_DIALECT } from '../../fakes/dialects/deepseek.dialect.js';
import { postJson } from '../../helpers/gateway-harness.js';
import { describeOpenAiCompatibleProvider } from '../support/openai-compatible.suite.js';

// The dialect sends `: keep-alive` comments in streams and blank lines before JSON answers by
// default, so every test of the shared suite runs through both.
describeOpenAiCompatibleProvider(
  {
    id: 'deepseek',
    configPath: 'deepseek',
    dialect: DEEPSEEK_DIALECT,
    env: (fake) => ({ DEEPSEEK_API_KEY: fake.apiKey, DEEPSEEK_BASE_URL: fake.baseUrl }),
    model: 'deepseek-chat',
    upstreamModel: 'deepseek-chat',
    chatPath: '/v1/chat/completions',
    credential: (fake) => ['authorization', `Bearer ${fake.apiKey}`],
    capabilities: {
      vision: false,
      tools: true,
      jsonObject: true,
      jsonSchema: false,
      maxContextTokens: 64_000,
    },
  },
  (context) => {
    it("does not pass the reasoner's reasoning_content on as answer text", async () => {
      context().fake.setReply({ content: 'The answer is 4.', reasoning: 'Two plus two...' });
      const res = await postJson(`${context().gw.url}/v1/chat/completions`, {
        model: 'deepseek-reasoner',
        messages: [{ role: 'user', content: '2+2?' }],
      });
      expect(res.status).toBe(200);
      expect(res.body.choices[0].message.content).toBe('The answer is 4.');
      expect(JSON.stringify(res.body)).not.toContain('Two plus two');
    });

    it('maps 402 insufficient balance to 502 provider_error', async () => {
      context().fake.failNext(402);
      const res = await postJson(`${context().gw.url}/v1/chat/completions`, {
        model: 'deepseek-chat',
        messages: [{ role: 'user', content: 'Hi' }],
      });
      expect(res.status).toBe(502);
      expect(res.body.error.code).toBe('provider_error');
    });
  },
);
