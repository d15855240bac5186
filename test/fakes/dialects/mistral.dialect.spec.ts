import { Mistral } from '@mistralai/mistralai';
import { MistralError } from '@mistralai/mistralai/models/errors';
import {
  DEFAULT_REPLY_TEXT,
  FakeOpenAiCompatibleServer,
  fakeEmbedding,
} from '../fake-openai-compatible.server.js';
import { firstChoice, postRaw, sseChunks, WEATHER_CALL } from './fake-dialect.testing.js';
import { MISTRAL_DIALECT } from './mistral.dialect.js';

/**
 * The Mistral dialect against the official `@mistralai/mistralai` client (it appends `/v1/...` to
 * the origin), and the wire details that client smooths over, read raw.
 */
describe(`${FakeOpenAiCompatibleServer.name} (mistral)`, () => {
  const fake = new FakeOpenAiCompatibleServer(MISTRAL_DIALECT);
  let client: Mistral;

  beforeAll(async () => {
    await fake.start();
    client = new Mistral({ apiKey: fake.apiKey, serverURL: new URL(fake.baseUrl).origin });
  });

  afterEach(() => fake.reset());

  afterAll(() => fake.close());

  const model = 'mistral-small-latest';
  const messages = [{ role: 'user' as const, content: 'Say hello' }];

  it('answers a chat the client reads, with a 32-hex id and usage', async () => {
    const response = await client.chat.complete({ model, messages, randomSeed: 7 });

    expect(response.id).toMatch(/^[0-9a-f]{32}$/);
    expect(response.choices[0]?.message?.content).toBe(DEFAULT_REPLY_TEXT);
    expect(response.choices[0]?.message?.toolCalls).toBeNull();
    expect(response.usage.totalTokens).toBeGreaterThan(0);
    expect(fake.lastRequest?.body).toMatchObject({ random_seed: 7, stream: false });
  });

  it('streams a chat the client reads, usage on the finish chunk without being asked', async () => {
    const stream = await client.chat.stream({ model, messages });
    let text = '';
    const chunks = [];
    for await (const event of stream) {
      chunks.push(event.data);
      const content = event.data.choices[0]?.delta.content;
      if (typeof content === 'string') text += content;
    }

    expect(text).toBe(DEFAULT_REPLY_TEXT);
    const last = chunks[chunks.length - 1];
    expect(last.choices[0].finishReason).toBe('stop');
    expect(last.usage?.totalTokens).toBeGreaterThan(0);
    expect(chunks.slice(0, -1).every((c) => c.usage === undefined)).toBe(true);
  });

  it('answers a tool call with a 9-character id the client reads', async () => {
    fake.setReply({ toolCalls: [WEATHER_CALL] });
    const response = await client.chat.complete({ model, messages });

    const call = response.choices[0]?.message?.toolCalls?.[0];
    expect(response.choices[0]?.finishReason).toBe('tool_calls');
    expect(call?.id).toMatch(/^[a-zA-Z0-9]{9}$/);
    expect(call?.function).toEqual(WEATHER_CALL);
  });

  it('streams whole tool calls on the finish chunk the client reads', async () => {
    fake.setReply({ toolCalls: [WEATHER_CALL] });
    const stream = await client.chat.stream({ model, messages });
    const chunks = [];
    for await (const event of stream) chunks.push(event.data);

    const last = chunks[chunks.length - 1].choices[0];
    expect(last.finishReason).toBe('tool_calls');
    expect(last.delta.toolCalls?.[0].function).toEqual(WEATHER_CALL);
  });

  it('streams tool calls without index nor type, as recorded from the real API', async () => {
    fake.setReply({ toolCalls: [{ ...WEATHER_CALL, id: 'gSIMJiOkT' }] });
    const raw = await postRaw(fake, '/chat/completions', { model, messages, stream: true });
    const finish = firstChoice(sseChunks(raw.text).pop() ?? {});

    expect(finish?.delta).toEqual({
      content: null,
      tool_calls: [{ id: 'gSIMJiOkT', function: WEATHER_CALL }],
    });
  });

  it('serves embeddings the client reads', async () => {
    const response = await client.embeddings.create({
      model: 'mistral-embed',
      inputs: ['alpha', 'beta'],
    });

    expect(response.data.map((d) => d.embedding)).toEqual([
      fakeEmbedding('alpha'),
      fakeEmbedding('beta'),
    ]);
  });

  it('refuses a tool-call id that is not 9 alphanumerics, whichever message carries it', async () => {
    const history = (id: string) => [
      ...messages,
      {
        role: 'assistant' as const,
        content: '',
        toolCalls: [{ id, type: 'function' as const, function: WEATHER_CALL }],
      },
      { role: 'tool' as const, toolCallId: id, name: 'get_weather', content: '18C' },
    ];
    const error: unknown = await client.chat
      .complete({ model, messages: history('call_abc') })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(MistralError);
    expect((error as MistralError).statusCode).toBe(400);
    expect(JSON.parse((error as MistralError).body)).toEqual({
      object: 'error',
      message: 'Tool call id was call_abc but must be a-z, A-Z, 0-9, with a length of 9.',
      type: 'invalid_request_error',
      param: null,
      code: null,
    });
    await expect(client.chat.complete({ model, messages: history('a1B2c3D4e') })).resolves.toEqual(
      expect.objectContaining({ id: expect.any(String) }),
    );
  });

  it.each([
    ['seed', 7],
    ['stream_options', { include_usage: true }],
    ['max_completion_tokens', 64],
  ])('refuses %s with 422 and pydantic detail', async (field, value) => {
    const raw = await postRaw(fake, '/chat/completions', { model, messages, [field]: value });

    expect(raw.status).toBe(422);
    expect(raw.json).toMatchObject({
      object: 'error',
      message: { detail: [{ type: 'extra_forbidden', loc: ['body', field], input: value }] },
    });
  });

  it("answers a wrong key with Mistral's 401", async () => {
    const wrong = new Mistral({ apiKey: 'wrong', serverURL: new URL(fake.baseUrl).origin });
    const error: unknown = await wrong.chat.complete({ model, messages }).catch((e: unknown) => e);

    expect((error as MistralError).statusCode).toBe(401);
    expect(JSON.parse((error as MistralError).body)).toMatchObject({ message: 'Unauthorized' });
  });

  it('passes model_length through as the finish reason', async () => {
    fake.setReply({ finishReason: 'model_length' });
    const response = await client.chat.complete({ model, messages });

    expect(response.choices[0]?.finishReason).toBe('model_length');
  });
});
