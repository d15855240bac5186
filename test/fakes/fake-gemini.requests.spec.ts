import { type GoogleGenAI, Type } from '@google/genai';
import { apiErrorOf, geminiSdk, postRaw } from './fake-gemini.clients.js';
import { FAKE_GEMINI_API_KEY, FakeGeminiServer } from './fake-gemini.server.js';

/**
 * The fake refuses what Gemini refuses, in Google's words: unknown field and schema keyword
 * names, roles and turn order, missing or wrong keys. Raw requests, since the SDK reshapes some
 * of these bodies before sending; the SDK where it sends them as they are.
 */
describe('FakeGeminiServer request checks', () => {
  const fake = new FakeGeminiServer();
  let ai: GoogleGenAI;
  const model = 'gemini-2.0-flash';

  beforeAll(async () => {
    const { origin } = await fake.start();
    ai = geminiSdk(FAKE_GEMINI_API_KEY, origin);
  });

  afterEach(() => fake.reset());

  afterAll(() => fake.close());

  const user = { role: 'user', parts: [{ text: 'Hi' }] };

  it.each([
    ['$schema', { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object' }],
    [
      'additionalProperties',
      { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false },
    ],
  ])('refuses %s in a responseSchema with Unknown name', async (keyword, responseSchema) => {
    const { status, body } = await postRaw(fake, `/models/${model}:generateContent`, {
      contents: [user],
      generationConfig: { responseMimeType: 'application/json', responseSchema },
    });
    expect(status).toBe(400);
    expect(body.error.message).toContain(`Unknown name "${keyword}"`);
    expect(body.error.message).toContain("at 'generation_config.response_schema'");
  });

  it('refuses additionalProperties in function parameters too', async () => {
    const { status, body } = await postRaw(fake, `/models/${model}:generateContent`, {
      contents: [user],
      tools: [
        {
          functionDeclarations: [
            {
              name: 'f',
              parameters: {
                type: 'object',
                properties: { a: { type: 'string' } },
                additionalProperties: false,
              },
            },
          ],
        },
      ],
    });
    expect(status).toBe(400);
    expect(body.error.message).toContain('Unknown name "additionalProperties"');
  });

  it('accepts a responseSchema in the subset, through the SDK', async () => {
    fake.setReply({ text: '{"city":"Paris"}' });
    const response = await ai.models.generateContent({
      model,
      contents: 'City?',
      config: {
        responseMimeType: 'application/json',
        responseSchema: {
          type: Type.OBJECT,
          properties: { city: { type: Type.STRING } },
          required: ['city'],
        },
      },
    });
    expect(JSON.parse(response.text!)).toEqual({ city: 'Paris' });
  });

  it.each([
    [
      'an unknown top-level field',
      { contents: [user], temperature: 1 },
      'Unknown name "temperature"',
    ],
    [
      'an assistant role',
      { contents: [{ role: 'assistant', parts: [{ text: 'x' }] }] },
      'valid role',
    ],
    ['turns that do not alternate', { contents: [user, user] }, 'alternate'],
    ['empty parts', { contents: [{ role: 'user', parts: [] }] }, 'must not be empty'],
    ['no contents', { contents: [] }, 'contents is not specified'],
  ])('refuses %s', async (_name, body, message) => {
    const answer = await postRaw(fake, `/models/${model}:generateContent`, body);
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toContain(message);
  });

  it('accepts snake_case field names, as proto-JSON does', async () => {
    const answer = await postRaw(fake, `/models/${model}:generateContent`, {
      contents: [user],
      system_instruction: { parts: [{ text: 'Be terse.' }] },
      generation_config: { max_output_tokens: 10 },
    });
    expect(answer.status).toBe(200);
  });

  it('answers 403 without a key and 400 API_KEY_INVALID with a wrong one', async () => {
    const missing = await postRaw(
      fake,
      `/models/${model}:generateContent`,
      { contents: [user] },
      null,
    );
    expect(missing.status).toBe(403);
    expect(missing.body.error.status).toBe('PERMISSION_DENIED');

    const wrong = geminiSdk('AIza-wrong', fake.origin);
    const error = await apiErrorOf(wrong.models.generateContent({ model, contents: 'Hi' }));
    expect(error.status).toBe(400);
    expect(error.message).toContain('API_KEY_INVALID');
  });

  it('answers 404 for a chat model asked to embed', async () => {
    const answer = await postRaw(fake, `/models/${model}:embedContent`, {
      content: { parts: [{ text: 'a' }] },
    });
    expect(answer.status).toBe(404);
    expect(answer.body.error.status).toBe('NOT_FOUND');
  });
});
