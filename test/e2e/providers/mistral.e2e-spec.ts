import { MISTRAL_DIALECT } from '../../fakes/dialects/mistral.dialect.js';
import { postJson, readSse, postRaw } from '../../helpers/gateway-harness.js';
import { describeOpenAiCompatibleProvider } from '../support/openai-compatible.suite.js';

describeOpenAiCompatibleProvider(
  {
    id: 'mistral',
    configPath: 'mistral',
    dialect: MISTRAL_DIALECT,
    env: (fake) => ({ MISTRAL_API_KEY: fake.apiKey, MISTRAL_BASE_URL: fake.baseUrl }),
    model: 'mistral-small-latest',
    upstreamModel: 'mistral-small-latest',
    chatPath: '/v1/chat/completions',
    credential: (fake) => ['authorization', `Bearer ${fake.apiKey}`],
    capabilities: {
      vision: false,
      tools: true,
      jsonObject: true,
      jsonSchema: true,
      maxContextTokens: 128_000,
    },
    embeddings: { model: 'mistral-embed', upstreamModel: 'mistral-embed', path: '/v1/embeddings' },
  },
  (context) => {
    const chat = (body: object) =>
      postJson(`${context().gw.url}/v1/chat/completions`, {
        model: 'mistral-small-latest',
        messages: [{ role: 'user', content: 'Hello' }],
        ...body,
      });

    it('sends seed as random_seed and max_completion_tokens as max_tokens (Mistral refuses both)', async () => {
      const res = await chat({ seed: 42, max_completion_tokens: 64, user: 'u-1' });
      expect(res.status).toBe(200);
      const body = context().fake.requests[0].body as Record<string, unknown>;
      expect(body).toMatchObject({ random_seed: 42, max_tokens: 64 });
      expect(body).not.toHaveProperty('seed');
      expect(body).not.toHaveProperty('user');
      expect(body).not.toHaveProperty('stream_options');
    });

    it('replays a tool conversation with OpenAI-style ids, rewritten consistently to 9 characters', async () => {
      const res = await chat({
        messages: [
          { role: 'user', content: 'Weather in Paris?' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: 'call_9sJ2kD0fQ1x7ZpLm',
                type: 'function',
                function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
              },
            ],
          },
          { role: 'tool', tool_call_id: 'call_9sJ2kD0fQ1x7ZpLm', content: '18C' },
        ],
        tools: [{ type: 'function', function: { name: 'get_weather', parameters: {} } }],
      });
      // The fake refuses any id that is not nine alphanumerics, as Mistral does.
      expect(res.status).toBe(200);
      const messages = (context().fake.requests[0].body as { messages: any[] }).messages;
      const id = messages[1].tool_calls[0].id;
      expect(id).toMatch(/^[a-zA-Z0-9]{9}$/);
      expect(messages[2].tool_call_id).toBe(id);
    });

    it("reads usage from Mistral's finish chunk, unasked, for a caller that wants it", async () => {
      const res = await postRaw(`${context().gw.url}/v1/chat/completions`, {
        model: 'mistral-small-latest',
        messages: [{ role: 'user', content: 'Hello' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      const { data } = await readSse(res);
      const usage = JSON.parse(data[data.length - 2]);
      expect(usage.choices).toEqual([]);
      expect(usage.usage.total_tokens).toBeGreaterThan(0);
    });

    it('maps model_length to finish_reason length', async () => {
      context().fake.setReply({ content: 'cut', finishReason: 'model_length' });
      const res = await chat({});
      expect(res.status).toBe(200);
      expect(res.body.choices[0].finish_reason).toBe('length');
    });
  },
);
