import OpenAI from 'openai';
import { FakeOpenAiCompatibleServer } from '../fake-openai-compatible.server.js';
import { firstChoice, PNG_DATA_URL, postRaw, sseChunks } from './fake-dialect.testing.js';
import { GROK_DIALECT } from './grok.dialect.js';

/** xAI Grok's wire quirks, read raw and through the official `openai` SDK. */
describe(`${FakeOpenAiCompatibleServer.name} (grok)`, () => {
  const fake = new FakeOpenAiCompatibleServer(GROK_DIALECT);
  let client: OpenAI;

  beforeAll(async () => {
    await fake.start();
    client = new OpenAI({ baseURL: fake.baseUrl, apiKey: fake.apiKey, maxRetries: 0 });
  });

  afterEach(() => fake.reset());

  afterAll(() => fake.close());

  const messages = [{ role: 'user' as const, content: 'Say hello' }];

  it('omits finish_reason and logprobs on intermediate chunks', async () => {
    const raw = await postRaw(fake, '/chat/completions', {
      model: 'grok-3',
      messages,
      stream: true,
    });
    const choices = sseChunks(raw.text).map((c) => firstChoice(c) ?? {});

    expect(choices.slice(0, -1).every((c) => !('finish_reason' in c) && !('logprobs' in c))).toBe(
      true,
    );
    expect(choices[choices.length - 1].finish_reason).toBe('stop');
  });

  it('counts reasoning outside completion_tokens but inside total_tokens', async () => {
    fake.setReply({ usage: { prompt_tokens: 291, completion_tokens: 26, reasoning_tokens: 189 } });
    const completion = await client.chat.completions.create({ model: 'grok-3-mini', messages });

    expect(completion.usage).toMatchObject({
      prompt_tokens: 291,
      completion_tokens: 26,
      total_tokens: 506,
      completion_tokens_details: { reasoning_tokens: 189 },
    });
    expect(completion.choices[0].message).toHaveProperty('reasoning_content');
  });

  it('sends the choices: [] usage chunk only when asked', async () => {
    const plain = await postRaw(fake, '/chat/completions', {
      model: 'grok-3',
      messages,
      stream: true,
    });
    const asked = await postRaw(fake, '/chat/completions', {
      model: 'grok-3',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });

    expect(sseChunks(plain.text).some((c) => 'usage' in c)).toBe(false);
    expect(sseChunks(asked.text).pop()).toMatchObject({
      choices: [],
      usage: { total_tokens: expect.any(Number) },
    });
  });

  it('accepts image parts', async () => {
    const raw = await postRaw(fake, '/chat/completions', {
      model: 'grok-2-vision-1212',
      messages: [
        { role: 'user', content: [{ type: 'image_url', image_url: { url: PNG_DATA_URL } }] },
      ],
    });

    expect(raw.status).toBe(200);
  });

  it("answers a wrong key with xAI's 400 {code, error}", async () => {
    const raw = await postRaw(
      fake,
      '/chat/completions',
      { model: 'grok-3', messages },
      {
        authorization: 'Bearer xai-wrong-key',
      },
    );

    expect(raw.status).toBe(400);
    expect(raw.json).toEqual({
      code: 'Client specified an invalid argument',
      error: expect.stringMatching(/^Incorrect API key provided: xa\*\*\*ey\./),
    });
  });
});
