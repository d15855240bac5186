import { Ollama } from 'ollama';
import {
  DEFAULT_REPLY_TEXT,
  FakeOpenAiCompatibleServer,
  fakeEmbedding,
} from '../fake-openai-compatible.server.js';
import {
  firstChoice,
  getRaw,
  PNG_DATA_URL,
  postRaw,
  sseChunks,
  WEATHER_CALL,
} from './fake-dialect.testing.js';
import { OLLAMA_VERSION } from './ollama-native.api.js';
import { OLLAMA_DIALECT } from './ollama.dialect.js';

/**
 * The Ollama dialect: its native API against the official `ollama` client (`host` is the base URL
 * the gateway is configured with), and the `/v1` quirks read raw.
 */
describe(`${FakeOpenAiCompatibleServer.name} (ollama)`, () => {
  const fake = new FakeOpenAiCompatibleServer(OLLAMA_DIALECT);
  let client: Ollama;

  beforeAll(async () => {
    await fake.start();
    client = new Ollama({ host: fake.baseUrl });
  });

  afterEach(() => fake.reset());

  afterAll(() => fake.close());

  const model = 'llama3.2';
  const messages = [{ role: 'user', content: 'Say hello' }];

  describe('native API with the ollama client', () => {
    it('answers a chat in one object with stream: false', async () => {
      const response = await client.chat({ model, messages, stream: false });

      expect(response.message).toEqual({ role: 'assistant', content: DEFAULT_REPLY_TEXT });
      expect(response.done).toBe(true);
      expect(response.done_reason).toBe('stop');
      expect(response.prompt_eval_count).toBeGreaterThan(0);
      expect(fake.lastRequest).toMatchObject({ method: 'POST', path: '/api/chat' });
    });

    it('streams NDJSON by default, the last line done with durations in nanoseconds', async () => {
      const raw = await postRaw(fake, '/api/chat', { model, messages });
      const lines = raw.text
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as { done: boolean });

      expect(raw.headers.get('content-type')).toBe('application/x-ndjson');
      expect(lines.slice(0, -1).every((l) => !l.done)).toBe(true);
      expect(lines[lines.length - 1]).toMatchObject({ done: true, total_duration: 3_244_883_583 });
    });

    it('streams a chat the client assembles, whatever the split writes', async () => {
      fake.setStreamFormat({ splitWrites: true });
      const stream = await client.chat({ model, messages, stream: true });
      let text = '';
      let done = false;
      for await (const part of stream) {
        text += part.message.content;
        done ||= part.done;
      }

      expect(text).toBe(DEFAULT_REPLY_TEXT);
      expect(done).toBe(true);
    });

    it('answers tool calls whole, with object arguments', async () => {
      fake.setReply({ toolCalls: [WEATHER_CALL] });
      const response = await client.chat({ model, messages, stream: false });

      expect(response.message.tool_calls?.[0].function).toMatchObject({
        name: 'get_weather',
        arguments: { city: 'Paris', unit: 'celsius' },
      });
    });

    it('lists the models as tags, and its version', async () => {
      fake.setModels(['llama3.2', 'qwen3:8b']);
      const { models } = await client.list();
      const { version } = await client.version();

      expect(models.map((m) => m.name)).toEqual(['llama3.2:latest', 'qwen3:8b']);
      expect(version).toBe(OLLAMA_VERSION);
    });

    it('refuses an image that is not bare base64', async () => {
      const error: unknown = await client
        .chat({ model, messages: [{ ...messages[0], images: [PNG_DATA_URL] }], stream: false })
        .catch((e: unknown) => e);

      expect(error).toMatchObject({
        status_code: 400,
        error: 'illegal base64 data at input byte 4',
      });
    });

    it('refuses tool-call arguments sent as a string', async () => {
      const raw = await postRaw(fake, '/api/chat', {
        model,
        stream: false,
        messages: [
          ...messages,
          { role: 'assistant', content: '', tool_calls: [{ function: WEATHER_CALL }] },
        ],
      });

      expect(raw.status).toBe(400);
      expect(raw.json).toEqual({ error: expect.stringContaining('cannot unmarshal string') });
    });

    it('ends a stream with an error line the client raises', async () => {
      fake.streamErrorNext(2);
      const stream = await client.chat({ model, messages, stream: true });
      const parts: unknown[] = [];
      const error: unknown = await (async () => {
        for await (const part of stream) parts.push(part);
      })().catch((e: unknown) => e);

      expect(parts).toHaveLength(2);
      expect(error).toBeInstanceOf(Error);
    });

    it('answers an unknown model with 404 when models are strict', async () => {
      const strict = new FakeOpenAiCompatibleServer(OLLAMA_DIALECT, { strictModels: true });
      await strict.start();
      const error: unknown = await new Ollama({ host: strict.baseUrl })
        .chat({ model: 'mistral', messages, stream: false })
        .catch((e: unknown) => e);
      await strict.close();

      expect(error).toMatchObject({
        status_code: 404,
        error: 'model "mistral" not found, try pulling it first',
      });
    });
  });

  describe('OpenAI-compatible /v1', () => {
    it('accepts any key, answers chatcmpl-<n> ids and fp_ollama', async () => {
      const raw = await postRaw(fake, '/v1/chat/completions', { model, messages }, {});

      expect(raw.status).toBe(200);
      expect(raw.json).toMatchObject({
        id: expect.stringMatching(/^chatcmpl-\d+$/),
        system_fingerprint: 'fp_ollama',
      });
    });

    it('sends the finish reason on its own chunk and every delta with role and content', async () => {
      const raw = await postRaw(fake, '/v1/chat/completions', { model, messages, stream: true });
      const chunks = sseChunks(raw.text);
      const last = firstChoice(chunks[chunks.length - 1]);

      expect(last).toMatchObject({
        delta: { role: 'assistant', content: '' },
        finish_reason: 'stop',
      });
      expect(chunks.every((c) => (firstChoice(c)?.delta as { role?: string }).role)).toBe(true);
      expect(chunks.every((c) => !('usage' in c))).toBe(true);
    });

    it('refuses an image URL that is not a data URL', async () => {
      const image = (url: string) => [
        {
          role: 'user',
          content: [{ type: 'image_url', image_url: { url } }],
        },
      ];
      const remote = await postRaw(fake, '/v1/chat/completions', {
        model,
        messages: image('https://example.com/cat.png'),
      });
      const inline = await postRaw(fake, '/v1/chat/completions', {
        model,
        messages: image(PNG_DATA_URL),
      });

      expect(remote.status).toBe(400);
      expect(remote.json).toEqual({
        error: {
          message: 'invalid image input',
          type: 'invalid_request_error',
          param: null,
          code: null,
        },
      });
      expect(inline.status).toBe(200);
    });

    it('answers floats even when base64 embeddings are asked', async () => {
      const raw = await postRaw(fake, '/v1/embeddings', {
        model: 'nomic-embed-text',
        input: 'alpha',
        encoding_format: 'base64',
      });

      expect(raw.json).toMatchObject({ data: [{ embedding: fakeEmbedding('alpha') }] });
    });

    it('lists models owned by the library', async () => {
      const raw = await getRaw(fake, '/v1/models', {});

      expect(raw.json).toMatchObject({
        object: 'list',
        data: [{ id: 'llama3.2', object: 'model', owned_by: 'library' }, {}, {}],
      });
    });
  });
});
