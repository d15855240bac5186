import { type Content, GoogleGenAI, type Tool, Type } from '@google/genai';
import { apiErrorOf, geminiSdk, postRaw } from './fake-gemini.clients.js';
import {
  DEFAULT_GEMINI_TEXT,
  FAKE_GEMINI_API_KEY,
  FakeGeminiServer,
  fakeGeminiEmbedding,
  SKIP_SIGNATURE,
} from './fake-gemini.server.js';

/**
 * The fake is only useful if it is the real wire format: these tests drive it with Google's
 * official `@google/genai` SDK, which frames, parses and raises errors exactly as it does against
 * the real API, and with raw requests for what the SDK would rewrite before sending.
 */
describe(FakeGeminiServer.name, () => {
  const fake = new FakeGeminiServer();
  let ai: GoogleGenAI;
  const model = 'gemini-2.0-flash';
  const weatherTool: Tool = {
    functionDeclarations: [
      {
        name: 'get_weather',
        description: 'Weather in a city',
        parameters: {
          type: Type.OBJECT,
          properties: { city: { type: Type.STRING } },
          required: ['city'],
        },
      },
    ],
  };

  beforeAll(async () => {
    const { origin } = await fake.start();
    ai = geminiSdk(FAKE_GEMINI_API_KEY, origin);
  });

  afterEach(() => fake.reset());

  afterAll(() => fake.close());

  it('answers generateContent as the SDK reads it, with usage and the model version', async () => {
    const response = await ai.models.generateContent({
      model,
      contents: 'Say hello',
      config: { systemInstruction: 'Be terse.', temperature: 0.2, maxOutputTokens: 64 },
    });

    expect(response.text).toBe(DEFAULT_GEMINI_TEXT);
    expect(response.candidates?.[0].finishReason).toBe('STOP');
    expect(response.usageMetadata?.promptTokenCount).toBeGreaterThan(0);
    expect(response.modelVersion).toBe(model);
    const received = fake.lastRequest!;
    expect(received.path).toBe(`/v1beta/models/${model}:generateContent`);
    expect(received.headers['x-goog-api-key']).toBe(FAKE_GEMINI_API_KEY);
    expect(received.body).toMatchObject({
      contents: [{ role: 'user', parts: [{ text: 'Say hello' }] }],
      systemInstruction: { parts: [{ text: 'Be terse.' }] },
      generationConfig: { temperature: 0.2, maxOutputTokens: 64 },
    });
  });

  it('streams CRLF events without [DONE] that the SDK assembles, whatever the SSE quirks', async () => {
    fake.setStreamFormat({ splitWrites: true, keepAliveComments: true });
    const chunks = [];
    for await (const chunk of await ai.models.generateContentStream({ model, contents: 'Hi' })) {
      chunks.push(chunk);
    }

    expect(fake.lastRequest!.path).toBe(`/v1beta/models/${model}:streamGenerateContent?alt=sse`);
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.map((c) => c.text ?? '').join('')).toBe(DEFAULT_GEMINI_TEXT);
    expect(chunks[chunks.length - 1].candidates?.[0].finishReason).toBe('STOP');
    expect(chunks.slice(0, -1).every((c) => c.candidates?.[0].finishReason === undefined)).toBe(
      true,
    );
    // Usage repeats on every event, candidates counted cumulatively.
    const counts = chunks.map((c) => c.usageMetadata?.candidatesTokenCount ?? -1);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(counts[0]).toBeGreaterThanOrEqual(0);
  });

  it('frames events exactly as Google does: data: {json}\\r\\n\\r\\n, then the body ends', async () => {
    const response = await fetch(`${fake.baseUrl}/models/${model}:streamGenerateContent?alt=sse`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': FAKE_GEMINI_API_KEY },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] }),
    });
    const raw = await response.text();

    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(raw.startsWith('data: {')).toBe(true);
    expect(raw.endsWith('}\r\n\r\n')).toBe(true);
    expect(raw).not.toContain('[DONE]');
    expect(raw.split('\r\n\r\n').filter(Boolean).length).toBeGreaterThan(3);
  });

  it('answers streamGenerateContent without alt=sse as one JSON array', async () => {
    const { status, body } = await postRaw(fake, `/models/${model}:streamGenerateContent`, {
      contents: [{ role: 'user', parts: [{ text: 'Hi' }] }],
    });
    expect(status).toBe(200);
    expect(Array.isArray(body)).toBe(true);
    expect(body[body.length - 1].candidates[0].finishReason).toBe('STOP');
  });

  describe('function calling', () => {
    it('returns whole function calls with a thought signature, and takes the round trip back', async () => {
      fake.setReply({ functionCalls: [{ name: 'get_weather', args: { city: 'Paris' } }] });
      const first = await ai.models.generateContent({
        model,
        contents: 'Weather in Paris?',
        config: { tools: [weatherTool] },
      });

      expect(first.functionCalls).toEqual([{ name: 'get_weather', args: { city: 'Paris' } }]);
      expect(first.candidates?.[0].finishReason).toBe('STOP');
      const modelTurn = first.candidates![0].content!;
      expect(modelTurn.parts?.[0].thoughtSignature).toEqual(expect.any(String));
      expect(fake.signatures.has(modelTurn.parts![0].thoughtSignature!)).toBe(true);

      fake.setReply({ text: 'It is 18C and sunny.' });
      const second = await ai.models.generateContent({
        model,
        contents: [
          { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
          modelTurn,
          {
            role: 'user',
            parts: [{ functionResponse: { name: 'get_weather', response: { result: '18C' } } }],
          },
        ],
        config: { tools: [weatherTool] },
      });
      expect(second.text).toBe('It is 18C and sunny.');
    });

    it('streams each function call whole, in its own event', async () => {
      fake.setReply({
        functionCalls: [
          { name: 'get_weather', args: { city: 'Paris' } },
          { name: 'get_weather', args: { city: 'Rome' } },
        ],
      });
      const calls = [];
      const stream = await ai.models.generateContentStream({
        model,
        contents: 'Weather in Paris and Rome?',
        config: { tools: [weatherTool] },
      });
      for await (const chunk of stream) calls.push(...(chunk.functionCalls ?? []));
      expect(calls).toEqual([
        { name: 'get_weather', args: { city: 'Paris' } },
        { name: 'get_weather', args: { city: 'Rome' } },
      ]);
    });

    const history = (signature?: string): Content[] => [
      { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
      {
        role: 'model',
        parts: [
          {
            functionCall: { name: 'get_weather', args: { city: 'Paris' } },
            ...(signature === undefined ? {} : { thoughtSignature: signature }),
          },
        ],
      },
      {
        role: 'user',
        parts: [{ functionResponse: { name: 'get_weather', response: { result: '18C' } } }],
      },
    ];

    it('refuses a function call sent back without its thought signature, as Gemini 3 does', async () => {
      const error = await apiErrorOf(
        ai.models.generateContent({ model, contents: history(), config: { tools: [weatherTool] } }),
      );
      expect(error.status).toBe(400);
      expect(error.message).toContain('missing a thought_signature');
    });

    it('refuses a signature it never issued, and accepts the documented skip value', async () => {
      const corrupted = await apiErrorOf(
        ai.models.generateContent({
          model,
          contents: history('bm90LWlzc3VlZA=='),
          config: { tools: [weatherTool] },
        }),
      );
      expect(corrupted.message).toContain('Corrupted thought signature');

      const skipped = await ai.models.generateContent({
        model,
        contents: history(SKIP_SIGNATURE),
        config: { tools: [weatherTool] },
      });
      expect(skipped.text).toBe(DEFAULT_GEMINI_TEXT);
    });

    it.each([
      [
        'a function response without a name',
        { functionResponse: { response: { result: 'x' } } },
        'Name cannot be empty',
      ],
      [
        'a function response whose response is not an object',
        { functionResponse: { name: 'get_weather', response: '18C' } },
        'google.protobuf.Struct',
      ],
    ])('refuses %s', async (_name, part, message) => {
      const contents = history(SKIP_SIGNATURE);
      contents[2] = { role: 'user', parts: [part] } as Content;
      const { status, body } = await postRaw(fake, `/models/${model}:generateContent`, {
        contents,
        tools: [weatherTool],
      });
      expect(status).toBe(400);
      expect(body.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
      expect(body.error.message).toContain(message);
    });

    it('refuses a function-response turn that does not answer every call', async () => {
      const contents = history(SKIP_SIGNATURE);
      (contents[1].parts as object[]).push({
        functionCall: { name: 'get_weather', args: { city: 'Rome' } },
      });
      const { status, body } = await postRaw(fake, `/models/${model}:generateContent`, {
        contents,
        tools: [weatherTool],
      });
      expect(status).toBe(400);
      expect(body.error.message).toContain('number of function response parts');
    });
  });

  describe('embeddings', () => {
    it('serves the SDK (batchEmbedContents under the hood) with the requested dimensions', async () => {
      const response = await ai.models.embedContent({
        model: 'gemini-embedding-001',
        contents: ['alpha', 'beta'],
        config: { outputDimensionality: 4 },
      });

      expect(fake.lastRequest!.rpc).toBe('batchEmbedContents');
      expect(response.embeddings?.map((e) => e.values)).toEqual([
        fakeGeminiEmbedding('alpha', 4),
        fakeGeminiEmbedding('beta', 4),
      ]);
    });

    it('serves embedContent for one text', async () => {
      const answer = await postRaw(fake, '/models/gemini-embedding-001:embedContent', {
        content: { parts: [{ text: 'alpha' }] },
        outputDimensionality: 3,
      });
      expect(answer.body).toEqual({ embedding: { values: fakeGeminiEmbedding('alpha', 3) } });
    });

    it('refuses a batch entry that names another model', async () => {
      const answer = await postRaw(fake, '/models/gemini-embedding-001:batchEmbedContents', {
        requests: [{ model: 'models/other', content: { parts: [{ text: 'a' }] } }],
      });
      expect(answer.status).toBe(400);
    });
  });

  describe('scripted failures', () => {
    it('fails with Google envelopes the SDK raises as ApiError, RetryInfo included', async () => {
      fake.failNext(429).failNext(503);
      const limited = await apiErrorOf(ai.models.generateContent({ model, contents: 'Hi' }));
      const overloaded = await apiErrorOf(ai.models.generateContent({ model, contents: 'Hi' }));

      expect(limited.status).toBe(429);
      expect(limited.message).toContain('RESOURCE_EXHAUSTED');
      expect(limited.message).toContain('"retryDelay":"34.4s"');
      expect(overloaded.status).toBe(503);
      expect(overloaded.message).toContain('overloaded');
    });

    it('sends a mid-stream error event the SDK raises as an ApiError', async () => {
      fake.streamErrorNext(2);
      const received: unknown[] = [];
      const error = await apiErrorOf(
        (async () => {
          for await (const chunk of await ai.models.generateContentStream({
            model,
            contents: 'Hi',
          })) {
            received.push(chunk);
          }
        })(),
      );
      expect(received).toHaveLength(2);
      expect(error.status).toBe(500);
    });

    it('blocks a prompt with promptFeedback and no candidates', async () => {
      fake.setReply({ blockReason: 'SAFETY' });
      const response = await ai.models.generateContent({ model, contents: 'Hi' });
      expect(response.candidates).toBeUndefined();
      expect(response.promptFeedback?.blockReason).toBe('SAFETY');
    });

    it('notices a client that leaves a stalled stream', async () => {
      fake.stallStreamNext(1);
      const controller = new AbortController();
      const stream = await ai.models.generateContentStream({
        model,
        contents: 'Hi',
        config: { abortSignal: controller.signal },
      });
      await stream.next();
      controller.abort();

      await fake.waitForClientDisconnects(1);
      expect(fake.clientDisconnects).toEqual([
        { path: `/v1beta/models/${model}:streamGenerateContent?alt=sse`, chunksSent: 1 },
      ]);
    });
  });
});
