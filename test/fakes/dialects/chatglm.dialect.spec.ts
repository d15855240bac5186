import { FakeOpenAiCompatibleServer } from '../fake-openai-compatible.server.js';
import { CHATGLM_CONTENT_FILTER, CHATGLM_DIALECT } from './chatglm.dialect.js';
import { firstChoice, postRaw, sseChunks } from './fake-dialect.testing.js';

/** ChatGLM's (Zhipu) wire quirks, read raw. */
describe(`${FakeOpenAiCompatibleServer.name} (chatglm)`, () => {
  const fake = new FakeOpenAiCompatibleServer(CHATGLM_DIALECT);

  beforeAll(() => fake.start());

  afterEach(() => fake.reset());

  afterAll(() => fake.close());

  const model = 'glm-4.5';
  const messages = [{ role: 'user', content: 'Say hello' }];

  it('answers with request_id and streams usage on the final chunk, unasked', async () => {
    const json = await postRaw(fake, '/chat/completions', { model, messages });
    const raw = await postRaw(fake, '/chat/completions', { model, messages, stream: true });
    const chunks = sseChunks(raw.text);
    const finish = chunks[chunks.length - 1];

    expect(json.json).toMatchObject({ request_id: expect.any(String) });
    expect(chunks.every((c) => typeof c.request_id === 'string')).toBe(true);
    expect(firstChoice(finish)?.finish_reason).toBe('stop');
    expect(finish.usage).toMatchObject({ total_tokens: expect.any(Number) });
    expect(firstChoice(chunks[1])).not.toHaveProperty('finish_reason');
  });

  it.each([
    [{ stop: ['a', 'b'] }],
    [{ tool_choice: 'required' }],
    [{ response_format: { type: 'json_schema', json_schema: { name: 'x', schema: {} } } }],
  ])('refuses %j with business code 1210', async (extra) => {
    const raw = await postRaw(fake, '/chat/completions', { model, messages, ...extra });

    expect(raw.status).toBe(400);
    expect(raw.json).toEqual({ error: { code: '1210', message: expect.any(String) } });
  });

  it('uses string business codes for auth, unknown model, rate limit and content filter', async () => {
    const missing = await postRaw(fake, '/chat/completions', { model, messages }, {});
    fake.failNext(429).failNext(404).failNext(400, { body: CHATGLM_CONTENT_FILTER.body });
    const limited = await postRaw(fake, '/chat/completions', { model, messages });
    const unknown = await postRaw(fake, '/chat/completions', { model, messages });
    const filtered = await postRaw(fake, '/chat/completions', { model, messages });

    expect([missing.status, (missing.json as { error: { code: string } }).error.code]).toEqual([
      401,
      '1001',
    ]);
    expect(limited.json).toMatchObject({ error: { code: '1302' } });
    expect(unknown.json).toMatchObject({ error: { code: '1211' } });
    expect(filtered.json).toMatchObject({ error: { code: '1301' } });
  });

  it('passes finish_reason sensitive through', async () => {
    fake.setReply({ finishReason: 'sensitive' });
    const raw = await postRaw(fake, '/chat/completions', { model, messages });

    expect(raw.json).toMatchObject({ choices: [{ finish_reason: 'sensitive' }] });
  });
});
