import OpenAI from 'openai';
import { FakeOpenAiCompatibleServer } from '../fake-openai-compatible.server.js';
import {
  firstChoice,
  PNG_DATA_URL,
  postRaw,
  sseChunks,
  WEATHER_CALL,
} from './fake-dialect.testing.js';
import { MOONSHOT_DIALECT } from './moonshot.dialect.js';

/** Moonshot's (Kimi) wire quirks, read raw and through the official `openai` SDK. */
describe(`${FakeOpenAiCompatibleServer.name} (moonshot)`, () => {
  const fake = new FakeOpenAiCompatibleServer(MOONSHOT_DIALECT);
  let client: OpenAI;

  beforeAll(async () => {
    await fake.start();
    client = new OpenAI({ baseURL: fake.baseUrl, apiKey: fake.apiKey, maxRetries: 0 });
  });

  afterEach(() => fake.reset());

  afterAll(() => fake.close());

  const model = 'moonshot-v1-8k';
  const messages = [{ role: 'user' as const, content: 'Say hello' }];

  it.each([false, true])(
    'puts usage inside choices[0] of the finish chunk only (include_usage: %s)',
    async (includeUsage) => {
      const raw = await postRaw(fake, '/chat/completions', {
        model,
        messages,
        stream: true,
        ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
      });
      const chunks = sseChunks(raw.text);
      const finish = chunks[chunks.length - 1];

      expect(firstChoice(finish)).toMatchObject({
        finish_reason: 'stop',
        usage: { prompt_tokens: expect.any(Number), total_tokens: expect.any(Number) },
      });
      expect(chunks.every((c) => !('usage' in c))).toBe(true);
      expect(chunks.every((c) => (c.choices as unknown[]).length === 1)).toBe(true);
    },
  );

  it('names tool calls functions.<name>:<index>', async () => {
    fake.setReply({ toolCalls: [WEATHER_CALL] });
    const completion = await client.chat.completions.create({ model, messages });

    expect(completion.choices[0].message.tool_calls?.[0].id).toBe('functions.get_weather:0');
  });

  it('refuses a temperature other than 1 on kimi-k2 models', async () => {
    const refused = await client.chat.completions
      .create({ model: 'kimi-k2-0905-preview', messages, temperature: 0.3 })
      .catch((e: unknown) => e);

    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect((refused as InstanceType<typeof OpenAI.APIError>).error).toEqual({
      message: 'invalid temperature: only 1 is allowed for this model',
      type: 'invalid_request_error',
    });
    await expect(
      client.chat.completions.create({ model: 'kimi-k2-0905-preview', messages, temperature: 1 }),
    ).resolves.toBeTruthy();
    await expect(
      client.chat.completions.create({ model, messages, temperature: 0.3 }),
    ).resolves.toBeTruthy();
  });

  it('refuses image parts on a model that is not a vision model', async () => {
    const content = [{ type: 'image_url', image_url: { url: PNG_DATA_URL } }];
    const text = await postRaw(fake, '/chat/completions', {
      model,
      messages: [{ role: 'user', content }],
    });
    const vision = await postRaw(fake, '/chat/completions', {
      model: 'moonshot-v1-8k-vision-preview',
      messages: [{ role: 'user', content }],
    });

    expect(text.status).toBe(400);
    expect(vision.status).toBe(200);
  });

  it('rate-limits with rate_limit_reached_error', async () => {
    fake.failNext(429);
    const raw = await postRaw(fake, '/chat/completions', { model, messages });

    expect(raw.json).toMatchObject({ error: { type: 'rate_limit_reached_error' } });
  });
});
