import { GROQ_DIALECT } from '../../fakes/dialects/groq.dialect.js';
import { postJson, readSse, postRaw } from '../../helpers/gateway-harness.js';
import { describeOpenAiCompatibleProvider } from '../support/openai-compatible.suite.js';

describeOpenAiCompatibleProvider(
  {
    id: 'groq',
    configPath: 'groq',
    dialect: GROQ_DIALECT,
    env: (fake) => ({ GROQ_API_KEY: fake.apiKey, GROQ_BASE_URL: fake.baseUrl }),
    model: 'groq/llama-3.3-70b-versatile',
    upstreamModel: 'llama-3.3-70b-versatile',
    chatPath: '/openai/v1/chat/completions',
    credential: (fake) => ['authorization', `Bearer ${fake.apiKey}`],
    capabilities: {
      vision: false,
      tools: false,
      jsonObject: true,
      jsonSchema: false,
      maxContextTokens: 131_072,
    },
  },
  (context) => {
    it('passes no x_groq extra on to the caller, in answers or chunks', async () => {
      const { gw } = context();
      const body = {
        model: 'groq/llama-3.1-8b-instant',
        messages: [{ role: 'user', content: 'Hi' }],
      };
      const res = await postJson(`${gw.url}/v1/chat/completions`, body);
      expect(res.status).toBe(200);
      expect(res.body).not.toHaveProperty('x_groq');
      expect(res.body.usage).not.toHaveProperty('queue_time');
      const stream = await postRaw(`${gw.url}/v1/chat/completions`, {
        ...body,
        stream: true,
        stream_options: { include_usage: true },
      });
      const { data } = await readSse(stream);
      for (const d of data.slice(0, -1)) expect(JSON.parse(d)).not.toHaveProperty('x_groq');
      expect(JSON.parse(data[data.length - 2]).usage.total_tokens).toBeGreaterThan(0);
    });
  },
);
