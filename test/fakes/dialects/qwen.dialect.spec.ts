import { FakeOpenAiCompatibleServer } from '../fake-openai-compatible.server.js';
import {
  firstChoice,
  PNG_DATA_URL,
  postRaw,
  sseChunks,
  WEATHER_CALL,
} from './fake-dialect.testing.js';
import { QWEN_DIALECT } from './qwen.dialect.js';

/** Qwen's (DashScope compatible mode) wire quirks, read raw. */
describe(`${FakeOpenAiCompatibleServer.name} (qwen)`, () => {
  const fake = new FakeOpenAiCompatibleServer(QWEN_DIALECT);

  beforeAll(() => fake.start());

  afterEach(() => fake.reset());

  afterAll(() => fake.close());

  const model = 'qwen-plus';
  const messages = [{ role: 'user', content: 'Say hello' }];
  const toolDeltas = (text: string) =>
    sseChunks(text)
      .map((c) => (firstChoice(c)?.delta as { tool_calls?: Record<string, unknown>[] })?.tool_calls)
      .filter((calls) => calls !== undefined)
      .map((calls) => calls[0]);

  it('streams tool-call continuations with id "" and type, then a stray empty chunk', async () => {
    fake.setReply({ toolCalls: [WEATHER_CALL] });
    const raw = await postRaw(fake, '/chat/completions', { model, messages, stream: true });
    const deltas = toolDeltas(raw.text);
    const chunks = sseChunks(raw.text);
    const stray = chunks[chunks.length - 2];

    expect(deltas[0]).toMatchObject({
      index: 0,
      id: expect.stringMatching(/^call_/),
      type: 'function',
    });
    expect(deltas.slice(1).every((d) => d.id === '' && d.type === 'function')).toBe(true);
    expect(deltas[deltas.length - 1]).toEqual({
      function: { arguments: '' },
      index: 0,
      id: '',
      type: 'function',
    });
    expect(firstChoice(stray)).not.toHaveProperty('finish_reason');
    expect(deltas.map((d) => (d.function as { arguments: string }).arguments).join('')).toBe(
      WEATHER_CALL.arguments,
    );
  });

  it('sends system_fingerprint null, and the choices: [] usage chunk only when asked', async () => {
    const plain = await postRaw(fake, '/chat/completions', { model, messages, stream: true });
    const asked = await postRaw(fake, '/chat/completions', {
      model,
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });

    expect(sseChunks(plain.text).every((c) => c.system_fingerprint === null)).toBe(true);
    expect(sseChunks(plain.text).some((c) => c.usage)).toBe(false);
    expect(sseChunks(asked.text).pop()).toMatchObject({
      choices: [],
      usage: { total_tokens: expect.any(Number) },
    });
  });

  it('refuses image parts on a model that is not a vision model, in its envelope', async () => {
    const content = [{ type: 'image_url', image_url: { url: PNG_DATA_URL } }];
    const text = await postRaw(fake, '/chat/completions', {
      model,
      messages: [{ role: 'user', content }],
    });
    const vision = await postRaw(fake, '/chat/completions', {
      model: 'qwen-vl-plus',
      messages: [{ role: 'user', content }],
    });

    expect(text.status).toBe(400);
    expect(text.json).toEqual({
      error: expect.objectContaining({
        code: 'invalid_parameter_error',
        type: 'invalid_request_error',
      }),
      id: expect.stringMatching(/^chatcmpl-/),
      request_id: expect.any(String),
    });
    expect(vision.status).toBe(200);
  });

  it('refuses enable_thinking without streaming, and base64 embeddings', async () => {
    const thinking = await postRaw(fake, '/chat/completions', {
      model,
      messages,
      enable_thinking: true,
    });
    const base64 = await postRaw(fake, '/embeddings', {
      model: 'text-embedding-v3',
      input: 'a',
      encoding_format: 'base64',
    });

    expect(thinking.status).toBe(400);
    expect(base64.status).toBe(400);
    expect(base64.json).toMatchObject({ error: { param: 'encoding_format' } });
  });
});
