import OpenAI from 'openai';
import {
  DEFAULT_REPLY_TEXT,
  FAKE_OPENAI_API_KEY,
  FakeOpenAiServer,
} from '../fake-openai.server.js';
import {
  expectResponsesShape,
  expectResponsesStream,
} from '../../helpers/openai-responses-schemas.js';

/**
 * The fake's Responses API is only useful if it is the real wire format: driven here with the
 * official `openai` SDK and checked against the shapes of OpenAI's published spec.
 */
describe('fake OpenAI Responses API', () => {
  const fake = new FakeOpenAiServer();
  let client: OpenAI;

  beforeAll(async () => {
    const { baseUrl } = await fake.start();
    client = new OpenAI({ apiKey: FAKE_OPENAI_API_KEY, baseURL: baseUrl, maxRetries: 0 });
  });
  afterEach(() => fake.reset());
  afterAll(() => fake.close());

  it('answers a response the SDK reads, and continues a stored one', async () => {
    const first = await client.responses.create({ model: 'gpt-4o', input: 'Hi' });
    expectResponsesShape('Response', JSON.parse(JSON.stringify(first)));
    expect(first.output_text).toBe(DEFAULT_REPLY_TEXT);
    const second = await client.responses.create({
      model: 'gpt-4o',
      input: 'Again',
      previous_response_id: first.id,
    });
    expect(second.previous_response_id).toBe(first.id);
  });

  it('streams named, numbered events the SDK assembles', async () => {
    fake.setReply({ toolCalls: [{ id: 'call_1', name: 'f', arguments: '{"a":1}' }] });
    const events: { type: string; sequence_number: number }[] = [];
    const stream = client.responses.stream({ model: 'gpt-4o', input: 'Hi' });
    stream.on('event', (event) => events.push(event));
    const final = await stream.finalResponse();
    expect(final.output[0]).toMatchObject({ type: 'function_call', arguments: '{"a":1}' });
    expectResponsesStream(events);
  });

  it('refuses an unknown parameter and an unknown previous response as OpenAI does', async () => {
    const unknown = await client.responses
      .create({ model: 'gpt-4o', input: 'Hi', frobnicate: 1 } as never)
      .catch((err: unknown) => err);
    expect(unknown).toBeInstanceOf(OpenAI.BadRequestError);
    const missing = await client.responses
      .create({ model: 'gpt-4o', input: 'Hi', previous_response_id: 'resp_nope' })
      .catch((err: unknown) => err);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('ends a stream with an error event when told to', async () => {
    fake.streamErrorNext(3);
    const stream = client.responses.stream({ model: 'gpt-4o', input: 'Hi' });
    const types: string[] = [];
    stream.on('event', (event) => types.push(event.type));
    await stream.done().catch(() => undefined);
    expect(types.at(-1)).toBe('error');
  });
});
