import { request as httpRequest } from 'node:http';
import {
  type GatewayUnderTest,
  postJson,
  postRaw,
  readSse,
  startGateway,
  readJson,
} from '../helpers/gateway-harness.js';

/** Raw-HTTP checks of the OpenAI-compatible surface, against the mock provider (ci profile). */
describe('HTTP surface', () => {
  let gw: GatewayUnderTest;
  const chatUrl = () => `${gw.url}/v1/chat/completions`;
  const hello = { model: 'mock/test', messages: [{ role: 'user', content: 'Hello there' }] };

  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(() => gw.close());

  const expectEnvelope = (body: any, status: number, code: string, param: string | null = null) => {
    expect(body).toEqual({
      error: {
        message: expect.any(String),
        type: expect.any(String),
        code,
        param,
        trace_id: expect.any(String),
      },
    });
    expect(body.error.message.length).toBeGreaterThan(0);
    void status;
  };

  describe('chat completions (JSON)', () => {
    it('answers 200 with a chat.completion and the gateway headers', async () => {
      const res = await postJson(chatUrl(), hello);
      expect(res.status).toBe(200);
      expect(res.body.object).toBe('chat.completion');
      expect(res.body.model).toBe('mock/test');
      expect(res.body.choices[0].message).toMatchObject({
        role: 'assistant',
        content: 'This is a mock response',
      });
      expect(res.body.choices[0].finish_reason).toBe('stop');
      expect(res.body.usage.total_tokens).toBe(
        res.body.usage.prompt_tokens + res.body.usage.completion_tokens,
      );
      expect(res.headers.get('x-gateway-provider')).toBe('mock');
      expect(res.headers.get('x-trace-id')).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('echoes a well-formed X-Trace-ID and replaces a malformed one', async () => {
      const good = await postJson(chatUrl(), hello, { 'x-trace-id': 'req.42:abc-DEF_1' });
      expect(good.headers.get('x-trace-id')).toBe('req.42:abc-DEF_1');
      const bad = await postJson(
        chatUrl(),
        { ...hello, model: 'nope' },
        { 'x-trace-id': 'bad id!' },
      );
      const minted = bad.headers.get('x-trace-id');
      expect(minted).not.toBe('bad id!');
      expect(bad.body.error.trace_id).toBe(minted);
    });
  });

  describe('streaming', () => {
    const stream = (extra: object = {}, headers: Record<string, string> = {}) =>
      fetch(chatUrl(), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ ...hello, stream: true, ...extra }),
      });

    it('sends SSE frames: role first, one word per chunk, finish, then [DONE]', async () => {
      const res = await stream();
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('x-accel-buffering')).toBe('no');
      expect(res.headers.get('x-trace-id')).toBeTruthy();
      const { raw, data } = await readSse(res);
      expect(raw.endsWith('data: [DONE]\n\n')).toBe(true);
      expect(data[data.length - 1]).toBe('[DONE]');
      const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
      expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
      expect(chunks[0].choices[0].delta.role).toBe('assistant');
      const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
      expect(text).toBe('This is a mock response');
      const contentChunks = chunks.filter((c) => c.choices[0]?.delta?.content);
      expect(contentChunks.length).toBe(5);
      expect(chunks[chunks.length - 1].choices[0].finish_reason).toBe('stop');
      expect(chunks.some((c) => 'usage' in c)).toBe(false);
    });

    it('adds the usage chunk (choices: []) before [DONE] only with include_usage', async () => {
      const res = await stream({ stream_options: { include_usage: true } });
      const { data } = await readSse(res);
      const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
      const last = chunks[chunks.length - 1];
      expect(last.choices).toEqual([]);
      expect(last.usage.total_tokens).toBeGreaterThan(0);
      expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    });

    it('fails before the first byte as an ordinary HTTP error', async () => {
      const res = await stream({ model: 'claude-3-opus' });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expectEnvelope(await readJson(res), 400, 'no_provider', 'model');
    });
  });

  describe('validation', () => {
    it.each([
      [{ ...hello, temperature: 5 }, 'temperature'],
      [{ ...hello, messages: [] }, 'messages'],
      [{ ...hello, messages: [{ role: 'wizard', content: 'x' }] }, 'messages[0].role'],
      [{ ...hello, messages: [{ role: 'user' }] }, 'messages[0].content'],
      [{ ...hello, messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].tool_call_id'],
      [{ messages: hello.messages }, 'model'],
      [{ ...hello, stop: ['a', 'b', 'c', 'd', 'e'] }, 'stop'],
      [{ ...hello, response_format: { type: 'json_schema' } }, 'response_format.json_schema'],
      [{ ...hello, stream: 'yes' }, 'stream'],
    ])('refuses %j with validation_error naming %s', async (body, param) => {
      const res = await postJson(chatUrl(), body);
      expect(res.status).toBe(400);
      expectEnvelope(res.body, 400, 'validation_error', param);
      expect(res.body.error.type).toBe('invalid_request_error');
      expect(res.body.error.message).toContain(param);
    });

    it.each([
      ['logprobs', true],
      ['logit_bias', { 1: 2 }],
      ['reasoning_effort', 'low'],
      ['service_tier', 'flex'],
      ['functions', []],
    ])(
      'refuses the field %s the mock cannot honour with unsupported_capability',
      async (field, value) => {
        const res = await postJson(chatUrl(), { ...hello, [field]: value });
        expect(res.status).toBe(400);
        expectEnvelope(res.body, 400, 'unsupported_capability', field);
      },
    );

    it('accepts n=1 and refuses any other n where the target cannot answer several', async () => {
      expect((await postJson(chatUrl(), { ...hello, n: 1 })).status).toBe(200);
      const res = await postJson(chatUrl(), { ...hello, n: 2 });
      expectEnvelope(res.body, 400, 'unsupported_capability', 'n');
    });

    it('refuses what the target provider cannot honour (mock has no tools or vision)', async () => {
      const tools = await postJson(chatUrl(), {
        ...hello,
        tools: [{ type: 'function', function: { name: 'get_weather', parameters: {} } }],
      });
      expectEnvelope(tools.body, 400, 'unsupported_capability', 'tools');
      const image = await postJson(chatUrl(), {
        ...hello,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            ],
          },
        ],
      });
      expectEnvelope(image.body, 400, 'unsupported_capability', 'messages[0].content');
    });

    it('accepts an earlier answer echoed back as history, refusal: null included', async () => {
      const first = await postJson(chatUrl(), hello);
      const res = await postJson(chatUrl(), {
        ...hello,
        messages: [
          ...hello.messages,
          first.body.choices[0].message,
          { role: 'user', content: 'And again?' },
        ],
      });
      expect(first.body.choices[0].message).toHaveProperty('refusal', null);
      expect(res.status).toBe(200);
    });

    it('refuses a JSON body that is not an object', async () => {
      const res = await postJson(chatUrl(), '[1,2,3]');
      expectEnvelope(res.body, 400, 'invalid_request');
    });

    it('names the env var of a known provider that is not activated', async () => {
      const res = await postJson(chatUrl(), { ...hello, model: 'gpt-4o-mini' });
      expect(res.status).toBe(400);
      expectEnvelope(res.body, 400, 'no_provider', 'model');
      expect(res.body.error.message).toContain('OPENAI_API_KEY');
    });
  });

  describe('hostile input', () => {
    /** Sends `json` byte for byte, so escapes such as a lone `\ud800` reach the gateway as written. */
    const postText = (path: string, json: string) =>
      fetch(`${gw.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: json,
      });
    const chatJson = (model: string, stream: boolean) =>
      `{"model":"${model}","stream":${stream},"messages":[{"role":"user","content":"Hi"}]}`;

    it('refuses a streamed model holding a lone surrogate with 400, and keeps serving', async () => {
      const res = await postText('/v1/chat/completions', chatJson('mock/\\ud800x', true));
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const body = await readJson(res);
      expectEnvelope(body, 400, 'validation_error', 'model');
      expect(body.error.message).toContain('unpaired surrogates');
      // The same gateway process still answers, streamed and not.
      const stream = await postText('/v1/chat/completions', chatJson('mock/test', true));
      expect(stream.status).toBe(200);
      expect((await readSse(stream)).data.at(-1)).toBe('[DONE]');
      expect((await postJson(chatUrl(), hello)).status).toBe(200);
    });

    it.each([
      ['chat, JSON', '/v1/chat/completions', chatJson('mock/\\ud800x', false)],
      ['chat, a lone low surrogate', '/v1/chat/completions', chatJson('mock/x\\udc00', false)],
      ['chat, a control character', '/v1/chat/completions', chatJson('mock/a\\u0001b', true)],
      ['chat, a line break', '/v1/chat/completions', chatJson('mock/a\\r\\nx-evil: 1', false)],
      ['embeddings', '/v1/embeddings', '{"model":"mock/\\ud800","input":"x"}'],
      ['embeddings, DEL', '/v1/embeddings', '{"model":"mock/\\u007f","input":"x"}'],
    ])(
      'refuses a model id no provider can have (%s) with validation_error',
      async (_w, path, json) => {
        const res = await postText(path, json);
        expect(res.status).toBe(400);
        expectEnvelope(await readJson(res), 400, 'validation_error', 'model');
      },
    );

    it('percent-encodes a non-ASCII model in X-Gateway-Model, and echoes it intact in the body', async () => {
      const model = 'mock/modèle 模型 😀%';
      const encoded = 'mock/mod%C3%A8le%20%E6%A8%A1%E5%9E%8B%20%F0%9F%98%80%25';
      const json = await postJson(chatUrl(), { ...hello, model });
      expect(json.status).toBe(200);
      expect(json.body.model).toBe(model);
      expect(json.headers.get('x-gateway-model')).toBe(encoded);
      expect(decodeURIComponent(json.headers.get('x-gateway-model')!)).toBe(model);

      const stream = await postRaw(chatUrl(), { ...hello, model, stream: true });
      expect(stream.status).toBe(200);
      expect(stream.headers.get('x-gateway-model')).toBe(encoded);
      const { data } = await readSse(stream);
      expect(JSON.parse(data[0]).model).toBe(model);
      expect(data.at(-1)).toBe('[DONE]');

      const embeddings = await postJson(`${gw.url}/v1/embeddings`, { model, input: 'x' });
      expect(embeddings.status).toBe(200);
      expect(embeddings.headers.get('x-gateway-model')).toBe(encoded);
    });

    const nested = (depth: number, open: string, leaf: string, close: string) =>
      open.repeat(depth) + leaf + close.repeat(depth);
    const deepObject = nested(10_000, '{"a":', '1', '}');
    const deepArray = nested(10_000, '[', '', ']');
    const message = '[{"role":"user","content":"x"}]';

    it.each([
      [
        'chat metadata',
        '/v1/chat/completions',
        `{"model":"m","messages":${message},"metadata":${deepObject}}`,
        'metadata',
      ],
      [
        'chat stop',
        '/v1/chat/completions',
        `{"model":"m","messages":${message},"stop":${deepArray}}`,
        'stop',
      ],
      [
        'chat messages',
        '/v1/chat/completions',
        `{"model":"m","messages":${deepArray}}`,
        'messages',
      ],
      [
        'chat tool parameters',
        '/v1/chat/completions',
        `{"model":"m","messages":${message},"tools":[{"type":"function","function":{"name":"f","parameters":${deepObject}}}]}`,
        'tools',
      ],
      [
        'chat with a key class-transformer skips',
        '/v1/chat/completions',
        `{"model":"m","messages":${message},"metadata":{"constructor":${deepArray}}}`,
        'metadata',
      ],
      [
        'a streamed chat',
        '/v1/chat/completions',
        `{"model":"mock/x","stream":true,"messages":${message},"user":${deepArray}}`,
        'user',
      ],
      ['embeddings input', '/v1/embeddings', `{"model":"m","input":${deepArray}}`, 'input'],
    ])(
      'refuses a body nested 10,000 levels deep (%s) with validation_error',
      async (_w, path, json, param) => {
        const res = await postText(path, json);
        expect(res.status).toBe(400);
        const body = await readJson(res);
        expectEnvelope(body, 400, 'validation_error', param);
        expect(body.error.message).toContain('64 levels');
      },
    );

    it('lets a tool schema nested 20 objects deep (45 levels) through validation', async () => {
      let schema: object = { type: 'string' };
      for (let i = 0; i < 20; i++) schema = { type: 'object', properties: { a: schema } };
      const chat = await postJson(chatUrl(), {
        ...hello,
        tools: [{ type: 'function', function: { name: 'f', parameters: schema } }],
      });
      // Past validation: refused only because the mock provider has no tools.
      expectEnvelope(chat.body, 400, 'unsupported_capability', 'tools');
    });
  });

  describe('errors from the HTTP layer', () => {
    it('answers invalid JSON with invalid_json', async () => {
      const res = await postJson(chatUrl(), '{"model": "mock/x", ');
      expect(res.status).toBe(400);
      expectEnvelope(res.body, 400, 'invalid_json');
    });

    it('answers an empty JSON body with invalid_json', async () => {
      const res = await postJson(chatUrl(), '');
      expect(res.status).toBe(400);
      expectEnvelope(res.body, 400, 'invalid_json');
    });

    it('answers a body over the limit with 413 request_too_large', async () => {
      const big = 'x'.repeat(gw.config.server.maxBodyBytes + 10);
      const res = await postJson(chatUrl(), {
        ...hello,
        messages: [{ role: 'user', content: big }],
      });
      expect(res.status).toBe(413);
      expectEnvelope(res.body, 413, 'request_too_large');
    });

    it('answers a non-JSON content type with 415 unsupported_media_type', async () => {
      const res = await fetch(chatUrl(), {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: 'hello',
      });
      expect(res.status).toBe(415);
      expectEnvelope(await readJson(res), 415, 'unsupported_media_type');
    });

    it('answers a wrong method with 405 and Allow', async () => {
      const res = await fetch(chatUrl());
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('POST');
      expectEnvelope(await readJson(res), 405, 'method_not_allowed');
    });

    it('answers a wrong method on a parameterised route with 405 too', async () => {
      const res = await fetch(`${gw.url}/v1/models/mock/default`, { method: 'DELETE' });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET');
    });

    it('answers an unknown /v1 path with resource_not_found and others with not_found', async () => {
      const api = await fetch(`${gw.url}/v1/nothing-here`);
      expect(api.status).toBe(404);
      expectEnvelope(await readJson(api), 404, 'resource_not_found');
      const other = await fetch(`${gw.url}/favicon.ico`);
      expect(other.status).toBe(404);
      expectEnvelope(await readJson(other), 404, 'not_found');
    });
  });

  describe('path hygiene', () => {
    /** fetch normalises paths, so these go out byte-for-byte with node:http. */
    const rawGet = (path: string) =>
      new Promise<{ status: number; body: any }>((resolve, reject) => {
        const { port } = new URL(gw.url);
        const req = httpRequest({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
        });
        req.on('error', reject);
        req.end();
      });

    it.each([
      '/v1/models/../models',
      '/v1/./models',
      '/v1//models',
      '//v1/models',
      '/v1/mod%65ls',
      '/v1/models;x=1',
      '/v1\\models',
      '/v1/chat%2Fcompletions',
    ])('refuses %s with 400 invalid_path before routing', async (path) => {
      const res = await rawGet(path);
      expect(res.status).toBe(400);
      expectEnvelope(res.body, 400, 'invalid_path');
    });

    it("allows only an encoded '/' inside a model id, as the OpenAI SDKs send it", async () => {
      const encoded = await rawGet('/v1/models/mock%2Fdefault');
      expect(encoded.status).toBe(200);
      expect(encoded.body.id).toBe('mock/default');
      const other = await rawGet('/v1/models/mock%2Edefault');
      expect(other.status).toBe(400);
      expectEnvelope(other.body, 400, 'invalid_path');
    });

    it('still serves the canonical path', async () => {
      const res = await rawGet('/v1/models');
      expect(res.status).toBe(200);
      expect(res.body.object).toBe('list');
    });
  });

  describe('models and embeddings', () => {
    it('lists models with capabilities', async () => {
      const res = await fetch(`${gw.url}/v1/models`);
      const body = await readJson(res);
      const mock = body.data.find((m: any) => m.id === 'mock/default');
      expect(mock).toEqual({
        id: 'mock/default',
        object: 'model',
        created: expect.any(Number),
        owned_by: 'mock',
        capabilities: {
          supports_streaming: true,
          supports_vision: false,
          supports_tool_calls: false,
          supports_structured_outputs: true,
          supports_json_mode: true,
          max_context_tokens: 128000,
        },
      });
    });

    it('retrieves one model by id, and 404s an unknown one', async () => {
      const one = await fetch(`${gw.url}/v1/models/mock/default`);
      expect((await readJson(one)).id).toBe('mock/default');
      const none = await fetch(`${gw.url}/v1/models/mock/absent`);
      expect(none.status).toBe(404);
      expectEnvelope(await readJson(none), 404, 'resource_not_found', 'model');
    });

    it('answers embeddings as floats and as little-endian float32 base64 of the same vector', async () => {
      const url = `${gw.url}/v1/embeddings`;
      const floats = await postJson(url, { model: 'mock/embed', input: ['alpha', 'beta'] });
      expect(floats.status).toBe(200);
      expect(floats.body.object).toBe('list');
      expect(floats.body.data).toHaveLength(2);
      const vector: number[] = floats.body.data[0].embedding;
      expect(vector).toHaveLength(1536);
      const b64 = await postJson(url, {
        model: 'mock/embed',
        input: ['alpha', 'beta'],
        encoding_format: 'base64',
      });
      const bytes = Buffer.from(b64.body.data[0].embedding, 'base64');
      const decoded = Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
      expect(decoded).toHaveLength(1536);
      decoded.forEach((v, i) => expect(v).toBeCloseTo(vector[i], 6));
    });

    it('validates embeddings input', async () => {
      const res = await postJson(`${gw.url}/v1/embeddings`, { model: 'mock/embed', input: [] });
      expectEnvelope(res.body, 400, 'validation_error', 'input');
    });
  });
});
