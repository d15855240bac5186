import OpenAI, { APIError } from 'openai';
import { type GatewayUnderTest, startGateway, issueKey } from '../helpers/gateway-harness.js';

/** The official OpenAI SDK as the client, exactly as an application team would use it. */
describe('OpenAI SDK against the gateway (mock provider)', () => {
  let gw: GatewayUnderTest;
  let client: OpenAI;

  beforeAll(async () => {
    gw = await startGateway({
      yaml: [
        'gateway:',
        '  providers:',
        '    mock:',
        '      response-overrides:',
        '        "[mock/fast]": "Fast model response"',
      ].join('\n'),
    });
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: await issueKey(gw), maxRetries: 0 });
  });
  afterAll(() => gw.close());

  it('creates a chat completion', async () => {
    const completion = await client.chat.completions.create({
      model: 'mock/fast',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(completion.choices[0].message.content).toBe('Fast model response');
    expect(completion.model).toBe('mock/fast');
    expect(completion.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('streams, and the SDK assembles the chunks and the usage', async () => {
    const stream = await client.chat.completions.create({
      model: 'mock/any',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('This is a mock response');
    expect(finish).toBe('stop');
    expect(usage?.total_tokens).toBeGreaterThan(0);
  });

  it('assembles a stream with the SDK helper into a final completion', async () => {
    const runner = client.chat.completions.stream({
      model: 'mock/fast',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    const final = await runner.finalChatCompletion();
    expect(final.choices[0].message.content).toBe('Fast model response');
  });

  it("creates embeddings through the SDK's default base64 path", async () => {
    const result = await client.embeddings.create({ model: 'mock/embed', input: 'hello world' });
    expect(result.data).toHaveLength(1);
    expect(result.data[0].embedding).toHaveLength(1536);
    expect(result.data[0].embedding.every((v) => typeof v === 'number' && Number.isFinite(v))).toBe(
      true,
    );
    const again = await client.embeddings.create({
      model: 'mock/embed',
      input: 'hello world',
      encoding_format: 'float',
    });
    again.data[0].embedding.forEach((v, i) =>
      expect(v).toBeCloseTo(result.data[0].embedding[i], 6),
    );
  });

  it('lists and retrieves models', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(expect.arrayContaining(['mock/default', 'mock/fast']));
    const one = await client.models.retrieve('mock/fast');
    expect(one.owned_by).toBe('mock');
  });

  it('raises APIError with the status, code, type and param of the envelope', async () => {
    const error = await client.chat.completions
      .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] })
      .then(() => undefined)
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(APIError);
    const apiError = error as APIError;
    expect(apiError.status).toBe(400);
    expect(apiError.code).toBe('no_provider');
    expect(apiError.type).toBe('invalid_request_error');
    expect(apiError.param).toBe('model');
    expect(apiError.message).toContain('OPENAI_API_KEY');
    expect(apiError.headers?.get('x-trace-id')).toBeTruthy();
  });

  it('raises APIError for validation failures too', async () => {
    const error = await client.chat.completions
      .create({ model: 'mock/x', messages: [{ role: 'user', content: 'Hi' }], temperature: 9 })
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(400);
    expect((error as APIError).code).toBe('validation_error');
    expect((error as APIError).param).toBe('temperature');
  });
});
