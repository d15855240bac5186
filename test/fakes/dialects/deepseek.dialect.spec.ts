import OpenAI from 'openai';
import { FakeOpenAiCompatibleServer } from '../fake-openai-compatible.server.js';
import { DEEPSEEK_DIALECT, deepseekDialect } from './deepseek.dialect.js';
import {
  firstChoice,
  PNG_DATA_URL,
  postRaw,
  sseChunks,
  WEATHER_CALL,
} from './fake-dialect.testing.js';

/** DeepSeek's wire quirks, read raw and through the official `openai` SDK. */
describe(`${FakeOpenAiCompatibleServer.name} (deepseek)`, () => {
  const fake = new FakeOpenAiCompatibleServer(DEEPSEEK_DIALECT);
  let client: OpenAI;

  beforeAll(async () => {
    await fake.start();
    client = new OpenAI({ baseURL: fake.baseUrl, apiKey: fake.apiKey, maxRetries: 0 });
  });

  afterEach(() => fake.reset());

  afterAll(() => fake.close());

  const model = 'deepseek-chat';
  const messages = [{ role: 'user' as const, content: 'Say hello' }];

  it('sends blank lines before a JSON answer, which JSON parsers skip', async () => {
    const raw = await postRaw(fake, '/chat/completions', { model, messages });

    expect(raw.text.startsWith('\n\n{')).toBe(true);
    expect(raw.json).toMatchObject({ object: 'chat.completion' });
  });

  it('sends keep-alive comments in streams, and usage on the finish chunk unasked', async () => {
    const raw = await postRaw(fake, '/chat/completions', { model, messages, stream: true });
    const chunks = sseChunks(raw.text);
    const finish = chunks[chunks.length - 1];

    expect(raw.text).toContain(': keep-alive\n\n');
    expect(firstChoice(finish)?.finish_reason).toBe('stop');
    expect(finish.usage).toMatchObject({
      prompt_cache_hit_tokens: 0,
      prompt_cache_miss_tokens: expect.any(Number),
    });
  });

  it('streams reasoning_content from deepseek-reasoner before the answer', async () => {
    const raw = await postRaw(fake, '/chat/completions', {
      model: 'deepseek-reasoner',
      messages,
      stream: true,
    });
    const deltas = sseChunks(raw.text).map(
      (c) => firstChoice(c)?.delta as { reasoning_content?: string; content?: string | null },
    );
    const reasoning = deltas.map((d) => d.reasoning_content ?? '').join('');

    expect(reasoning).toBe('The user greets me; a short, friendly answer will do.');
    expect(deltas.findIndex((d) => d.reasoning_content)).toBeLessThan(
      deltas.findIndex((d) => typeof d.content === 'string' && d.content !== ''),
    );
  });

  it('answers tool calls with call_00_ ids and index even in JSON', async () => {
    fake.setReply({ toolCalls: [WEATHER_CALL] });
    const completion = await client.chat.completions.create({ model, messages });

    expect(completion.choices[0].message.content).toBe('');
    expect(completion.choices[0].message.tool_calls?.[0]).toMatchObject({
      index: 0,
      id: expect.stringMatching(/^call_00_[A-Za-z0-9]{24}$/),
    });
  });

  it('refuses json_schema and image parts with 400', async () => {
    const schema = await client.chat.completions
      .create({
        model,
        messages,
        response_format: { type: 'json_schema', json_schema: { name: 'x', schema: {} } },
      })
      .catch((e: unknown) => e);
    const image = await client.chat.completions
      .create({
        model,
        messages: [
          { role: 'user', content: [{ type: 'image_url', image_url: { url: PNG_DATA_URL } }] },
        ],
      })
      .catch((e: unknown) => e);

    expect(schema).toBeInstanceOf(OpenAI.BadRequestError);
    expect((schema as Error).message).toContain('This response_format type is unavailable now');
    expect(image).toBeInstanceOf(OpenAI.BadRequestError);
    expect((image as Error).message).toContain('unknown variant `image_url`, expected `text`');
  });

  it('fails with 402 Insufficient Balance when scripted', async () => {
    fake.failNext(402);
    const error: unknown = await client.chat.completions
      .create({ model, messages })
      .catch((e: unknown) => e);

    expect(error).toMatchObject({ status: 402, error: { message: 'Insufficient Balance' } });
  });

  it('answers a wrong key in JSON, or in plain text when so configured', async () => {
    const plain = new FakeOpenAiCompatibleServer(deepseekDialect({ plainTextAuthErrors: true }));
    await plain.start();
    const json = await postRaw(
      fake,
      '/chat/completions',
      { model, messages },
      {
        authorization: 'Bearer sk-wrong-abcd',
      },
    );
    const text = await postRaw(plain, '/chat/completions', { model, messages }, {});
    await plain.close();

    expect(json.json).toEqual({
      error: {
        message: 'Authentication Fails, Your api key: ****abcd is invalid',
        type: 'authentication_error',
        param: null,
        code: 'invalid_request_error',
      },
    });
    expect(text.status).toBe(401);
    expect(text.text).toBe('Authentication Fails');
    expect(text.headers.get('content-type')).toMatch(/^text\/plain/);
  });

  it('drops the quirks when configured without them', async () => {
    const plain = new FakeOpenAiCompatibleServer(
      deepseekDialect({ leadingBlankLines: 0, keepAliveComments: false }),
    );
    await plain.start();
    const json = await postRaw(plain, '/chat/completions', { model, messages });
    const stream = await postRaw(plain, '/chat/completions', { model, messages, stream: true });
    await plain.close();

    expect(json.text.startsWith('{')).toBe(true);
    expect(stream.text).not.toContain(': keep-alive');
  });
});
