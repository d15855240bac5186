import { FakeOpenAiCompatibleServer } from '../fake-openai-compatible.server.js';
import { firstChoice, postRaw, sseChunks, WEATHER_CALL } from './fake-dialect.testing.js';
import { GROQ_DIALECT } from './groq.dialect.js';

/** Groq's wire quirks, read raw (the SDK round trips are in the shared matrix spec). */
describe(`${FakeOpenAiCompatibleServer.name} (groq)`, () => {
  const fake = new FakeOpenAiCompatibleServer(GROQ_DIALECT);

  beforeAll(() => fake.start());

  afterEach(() => fake.reset());

  afterAll(() => fake.close());

  const model = 'llama-3.3-70b-versatile';
  const messages = [{ role: 'user', content: 'Say hello' }];

  it('is reached at /openai/v1 and has no embeddings', async () => {
    const embeddings = await postRaw(fake, '/embeddings', { model, input: 'a' });

    expect(fake.baseUrl).toMatch(/\/openai\/v1$/);
    expect(embeddings.status).toBe(404);
  });

  it('puts x_groq on answers and usage with timings on the finish chunk, unasked', async () => {
    const json = await postRaw(fake, '/chat/completions', { model, messages });
    const stream = await postRaw(fake, '/chat/completions', { model, messages, stream: true });
    const chunks = sseChunks(stream.text);
    const finish = chunks[chunks.length - 1];

    expect(json.json).toMatchObject({ x_groq: { id: expect.stringMatching(/^req_/) } });
    expect(chunks[0].x_groq).toMatchObject({ id: expect.stringMatching(/^req_/) });
    expect(firstChoice(finish)?.finish_reason).toBe('stop');
    expect(finish.usage).toMatchObject({
      total_tokens: expect.any(Number),
      queue_time: expect.any(Number),
    });
    expect((finish.x_groq as { usage: unknown }).usage).toEqual(finish.usage);
    expect(chunks.slice(0, -1).some((c) => c.usage)).toBe(false);
  });

  it('streams each tool call whole in one chunk', async () => {
    fake.setReply({ toolCalls: [WEATHER_CALL] });
    const stream = await postRaw(fake, '/chat/completions', { model, messages, stream: true });
    const toolChunks = sseChunks(stream.text).filter(
      (c) => (firstChoice(c)?.delta as { tool_calls?: unknown })?.tool_calls,
    );

    expect(toolChunks).toHaveLength(1);
    expect((firstChoice(toolChunks[0])?.delta as { tool_calls: unknown }).tool_calls).toEqual([
      {
        index: 0,
        id: expect.stringMatching(/^[a-z0-9]{9}$/),
        type: 'function',
        function: WEATHER_CALL,
      },
    ]);
  });

  it.each([
    [{ logprobs: true }, 'logprobs'],
    [{ n: 2 }, "'n'"],
    [{ logit_bias: { '50256': -100 } }, 'logit_bias'],
    [{ trace_id: 'x' }, "property 'trace_id' is unsupported"],
    [
      { response_format: { type: 'json_schema', json_schema: { name: 'x', schema: {} } } },
      'json_schema',
    ],
  ])('refuses %j with 400', async (extra, words) => {
    const raw = await postRaw(fake, '/chat/completions', { model, messages, ...extra });

    expect(raw.status).toBe(400);
    expect(raw.json).toEqual({
      error: expect.objectContaining({
        message: expect.stringContaining(words),
        type: 'invalid_request_error',
      }),
    });
  });

  it('accepts json_schema on a model with structured outputs', async () => {
    const raw = await postRaw(fake, '/chat/completions', {
      model: 'openai/gpt-oss-120b',
      messages,
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema: {} } },
    });

    expect(raw.status).toBe(200);
  });

  it('rate-limits with retry-after and x-ratelimit headers', async () => {
    fake.failNext(429);
    const raw = await postRaw(fake, '/chat/completions', { model, messages });

    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('1');
    expect(raw.headers.get('x-ratelimit-remaining-tokens')).toBe('0');
    expect(raw.json).toMatchObject({ error: { code: 'rate_limit_exceeded' } });
  });
});
