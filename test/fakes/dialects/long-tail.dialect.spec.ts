import OpenAI from 'openai';
import {
  DEFAULT_REPLY_TEXT,
  FakeOpenAiCompatibleServer,
} from '../fake-openai-compatible.server.js';
import { firstChoice, getRaw, postRaw, sseChunks } from './fake-dialect.testing.js';
import {
  DOCKER_MODEL_RUNNER_STYLE,
  type LongTailOptions,
  longTailDialect,
  PERPLEXITY_STYLE,
  TOGETHER_STYLE,
  VLLM_STYLE,
} from './long-tail.dialect.js';

/** The long tail's quirks, one option at a time. */
describe(`${FakeOpenAiCompatibleServer.name} (long-tail)`, () => {
  const fakes: FakeOpenAiCompatibleServer[] = [];
  const started = async (options: LongTailOptions) => {
    const fake = new FakeOpenAiCompatibleServer(longTailDialect(options));
    fakes.push(fake);
    await fake.start();
    return fake;
  };

  afterEach(async () => {
    await Promise.all(fakes.map((f) => f.close()));
    fakes.length = 0;
  });

  const model = 'm';
  const messages = [{ role: 'user' as const, content: 'Say hello' }];

  it('Perplexity: no /v1, cumulative usage on every chunk, chat.completion.done last', async () => {
    const fake = await started(PERPLEXITY_STYLE);
    const raw = await postRaw(fake, '/chat/completions', { model, messages, stream: true });
    const chunks = sseChunks(raw.text);
    const completions = chunks.map(
      (c) => (c.usage as { completion_tokens: number }).completion_tokens,
    );
    const client = new OpenAI({ baseURL: fake.baseUrl, apiKey: fake.apiKey, maxRetries: 0 });
    const assembled = await client.chat.completions
      .stream({ model, messages })
      .finalChatCompletion();

    expect(fake.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(fake.lastRequest?.path).toBe('/chat/completions');
    expect(completions).toEqual([...completions].sort((a, b) => a - b));
    expect(chunks[chunks.length - 1].object).toBe('chat.completion.done');
    expect(chunks.slice(0, -1).every((c) => !('finish_reason' in (firstChoice(c) ?? {})))).toBe(
      true,
    );
    expect(assembled.choices[0].message.content).toBe(DEFAULT_REPLY_TEXT);
  });

  it('Together: /models answers a bare array', async () => {
    const fake = await started(TOGETHER_STYLE);
    const raw = await getRaw(fake, '/models');

    expect(raw.json).toEqual([
      expect.objectContaining({ id: 'llama-3.1-8b-instruct', object: 'model' }),
      expect.objectContaining({ id: 'bge-small-en' }),
    ]);
  });

  it('vLLM: the flat error envelope with a numeric code', async () => {
    const fake = await started(VLLM_STYLE);
    fake.failNext(400);
    const raw = await postRaw(fake, '/chat/completions', { model, messages });

    expect(raw.json).toEqual({
      object: 'error',
      message: expect.any(String),
      type: 'BadRequestError',
      param: 'temperature',
      code: 400,
    });
  });

  it('Docker Model Runner: /engines/v1, no key, llama.cpp numeric error codes', async () => {
    const fake = await started(DOCKER_MODEL_RUNNER_STYLE);
    const ok = await postRaw(fake, '/chat/completions', { model: 'ai/smollm2', messages }, {});
    fake.failNext(400);
    const failed = await postRaw(fake, '/chat/completions', { model, messages }, {});

    expect(fake.baseUrl).toMatch(/\/engines\/v1$/);
    expect(ok.status).toBe(200);
    expect(failed.json).toEqual({
      error: { code: 400, message: expect.any(String), type: 'invalid_request_error' },
    });
  });

  it('a custom credential header, with or without a scheme', async () => {
    const raw = await started({ authHeader: 'x-api-key' });
    const schemed = await started({ authHeader: 'x-gateway-auth', authScheme: 'Token' });

    expect(
      (await postRaw(raw, '/chat/completions', { model, messages }, { 'x-api-key': raw.apiKey }))
        .status,
    ).toBe(200);
    expect((await postRaw(raw, '/chat/completions', { model, messages })).status).toBe(401);
    const token = { 'x-gateway-auth': `Token ${schemed.apiKey}` };
    expect((await postRaw(schemed, '/chat/completions', { model, messages }, token)).status).toBe(
      200,
    );
  });
});
