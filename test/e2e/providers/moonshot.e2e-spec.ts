import { MOONSHOT_DIALECT } from '../../fakes/dialects/moonshot.dialect.js';
import { readSse, postRaw } from '../../helpers/gateway-harness.js';
import { describeOpenAiCompatibleProvider } from '../support/openai-compatible.suite.js';

describeOpenAiCompatibleProvider(
  {
    id: 'moonshot',
    configPath: 'moonshot',
    dialect: MOONSHOT_DIALECT,
    env: (fake) => ({ MOONSHOT_API_KEY: fake.apiKey, MOONSHOT_BASE_URL: fake.baseUrl }),
    model: 'moonshot-v1-8k',
    upstreamModel: 'moonshot-v1-8k',
    chatPath: '/v1/chat/completions',
    credential: (fake) => ['authorization', `Bearer ${fake.apiKey}`],
    capabilities: {
      vision: false,
      tools: true,
      jsonObject: true,
      jsonSchema: false,
      maxContextTokens: 200_000,
    },
  },
  (context) => {
    it("turns usage sent inside choices[0] into OpenAI's trailing usage chunk", async () => {
      const res = await postRaw(`${context().gw.url}/v1/chat/completions`, {
        model: 'kimi-k2-0905-preview',
        messages: [{ role: 'user', content: 'Hi' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      const { data } = await readSse(res);
      const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
      const last = chunks[chunks.length - 1];
      expect(last.choices).toEqual([]);
      expect(last.usage.total_tokens).toBe(last.usage.prompt_tokens + last.usage.completion_tokens);
      for (const chunk of chunks.slice(0, -1)) {
        expect(chunk.usage).toBeNull();
        for (const choice of chunk.choices) expect(choice).not.toHaveProperty('usage');
      }
      // Moonshot needs no stream_options: its usage arrives anyway.
      expect(context().fake.requests[0].body).not.toHaveProperty('stream_options');
    });
  },
);
