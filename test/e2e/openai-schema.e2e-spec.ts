import { FAKE_OPENAI_API_KEY, FakeOpenAiServer } from '../fakes/fake-openai.server.js';
import {
  type GatewayUnderTest,
  postJson,
  readJson,
  readSse,
  startGateway,
} from '../helpers/gateway-harness.js';
import { expectOpenAiShape } from '../helpers/openai-schemas.js';

/**
 * Contract 4.7: every body and stream chunk the gateway emits validates against OpenAI's
 * published schema, whatever the upstream sent (here: `system_fingerprint: null`, obfuscation
 * padding, `service_tier`, tool calls streamed in fragments).
 */
describe("Gateway output against OpenAI's API schema", () => {
  const fake = new FakeOpenAiServer();
  let gw: GatewayUnderTest;
  const chat = (body: object) => postJson(`${gw.url}/v1/chat/completions`, body);
  const stream = async (body: object) => {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, stream: true }),
    });
    const { data } = await readSse(res);
    expect(data[data.length - 1]).toBe('[DONE]');
    return data.slice(0, -1).map((d) => JSON.parse(d));
  };
  const models = ['gpt-4o-mini', 'mock/any'];
  const ask = (model: string) => ({ model, messages: [{ role: 'user', content: 'Hi' }] });

  beforeAll(async () => {
    const { baseUrl } = await fake.start();
    gw = await startGateway({
      singleAttempt: true,
      env: { OPENAI_API_KEY: FAKE_OPENAI_API_KEY, OPENAI_BASE_URL: baseUrl },
    });
  });
  afterEach(() => fake.reset());
  afterAll(async () => {
    await gw.close();
    await fake.close();
  });

  it.each(models)('chat completion from %s', async (model) => {
    fake.setReply({ systemFingerprint: null });
    const res = await chat(ask(model));
    expect(res.status).toBe(200);
    expectOpenAiShape('CreateChatCompletionResponse', res.body);
  });

  it.each(models)('every stream chunk from %s, usage chunk included', async (model) => {
    fake.setReply({ systemFingerprint: null });
    const chunks = await stream({ ...ask(model), stream_options: { include_usage: true } });
    expect(chunks.length).toBeGreaterThan(2);
    chunks.forEach((c) => expectOpenAiShape('CreateChatCompletionStreamResponse', c));
  });

  it('tool calls, whole and streamed in fragments', async () => {
    const tools = [
      { type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } },
    ];
    fake.setReply({
      toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }],
    });
    const whole = await chat({ ...ask('gpt-4o-mini'), tools });
    expectOpenAiShape('CreateChatCompletionResponse', whole.body);
    expect(whole.body.choices[0].message.tool_calls[0].function.arguments).toBe('{"city":"Paris"}');

    const chunks = await stream({ ...ask('gpt-4o-mini'), tools });
    chunks.forEach((c) => expectOpenAiShape('CreateChatCompletionStreamResponse', c));
    const args = chunks
      .map((c) => c.choices[0]?.delta?.tool_calls?.[0]?.function?.arguments ?? '')
      .join('');
    expect(args).toBe('{"city":"Paris"}');
  });

  it.each(['text-embedding-3-small', 'mock/embed'])(
    'embeddings from %s, float and base64',
    async (model) => {
      for (const encoding_format of ['float', 'base64']) {
        const res = await postJson(`${gw.url}/v1/embeddings`, {
          model,
          input: ['a', 'b'],
          encoding_format,
        });
        expect(res.status).toBe(200);
        expectOpenAiShape('CreateEmbeddingResponse', res.body);
      }
    },
  );

  it('the models list', async () => {
    expectOpenAiShape('ListModelsResponse', await readJson(await fetch(`${gw.url}/v1/models`)));
  });

  it('errors from every layer', async () => {
    fake.failNext(500);
    const bodies = [
      (await chat(ask('gpt-4o-mini'))).body,
      (await chat({ ...ask('mock/x'), temperature: 9 })).body,
      (await chat({ ...ask('mock/x'), logprobs: true })).body,
      (await postJson(`${gw.url}/v1/chat/completions`, '{oops')).body,
      await readJson(await fetch(`${gw.url}/v1/nowhere`)),
      await readJson(await fetch(`${gw.url}/v1/chat/completions`)),
    ];
    bodies.forEach((b) => expectOpenAiShape('ErrorResponse', b));
  });
});
