import OpenAI, { AzureOpenAI } from 'openai';
import {
  DEFAULT_REPLY_TEXT,
  FakeOpenAiCompatibleServer,
} from '../fake-openai-compatible.server.js';
import {
  AZURE_API_VERSION,
  AZURE_OPENAI_DIALECT,
  azureContentFilterError,
} from './azure-openai.dialect.js';
import { firstChoice, postRaw, sseChunks } from './fake-dialect.testing.js';

type ApiError = InstanceType<typeof OpenAI.APIError>;

/** The Azure dialect against `AzureOpenAI` from the official `openai` SDK, and its raw quirks. */
describe(`${FakeOpenAiCompatibleServer.name} (azure-openai)`, () => {
  const fake = new FakeOpenAiCompatibleServer(AZURE_OPENAI_DIALECT);
  let client: AzureOpenAI;

  beforeAll(async () => {
    await fake.start();
    client = new AzureOpenAI({
      endpoint: new URL(fake.baseUrl).origin,
      apiKey: fake.apiKey,
      apiVersion: AZURE_API_VERSION,
      deployment: 'gpt-4o-prod',
      maxRetries: 0,
    });
  });

  afterEach(() => fake.reset());

  afterAll(() => fake.close());

  const messages = [{ role: 'user' as const, content: 'Say hello' }];
  const chatPath = `/deployments/gpt-4o-prod/chat/completions?api-version=${AZURE_API_VERSION}`;

  it('takes the deployment from the path, the key from api-key, and requires api-version', async () => {
    const completion = await client.chat.completions.create({ model: 'ignored', messages });

    expect(completion.model).toBe('gpt-4o-prod');
    expect(fake.lastRequest?.path).toBe(`/openai${chatPath}`);
    expect(fake.lastRequest?.headers['api-key']).toBe(fake.apiKey);
    expect(fake.lastRequest?.headers.authorization).toBeUndefined();
  });

  it('answers with prompt and content filter results and a null system_fingerprint', async () => {
    const raw = await postRaw(fake, chatPath, { messages }, { 'api-key': fake.apiKey });

    expect(raw.json).toMatchObject({
      prompt_filter_results: [{ prompt_index: 0, content_filter_results: expect.any(Object) }],
      choices: [{ content_filter_results: { hate: { filtered: false, severity: 'safe' } } }],
      system_fingerprint: null,
    });
    expect(raw.headers.get('apim-request-id')).toBeTruthy();
  });

  it('opens a stream with the filter-only chunk, and the SDK still assembles it', async () => {
    const raw = await postRaw(
      fake,
      chatPath,
      { messages, stream: true },
      { 'api-key': fake.apiKey },
    );
    const completion = await client.chat.completions
      .stream({ model: 'ignored', messages })
      .finalChatCompletion();

    expect(sseChunks(raw.text)[0]).toEqual({
      choices: [],
      created: 0,
      id: '',
      model: '',
      object: '',
      prompt_filter_results: expect.any(Array),
    });
    expect(firstChoice(sseChunks(raw.text)[2])?.content_filter_results).toMatchObject({
      violence: { filtered: false },
    });
    expect(completion.choices[0].message.content).toBe(DEFAULT_REPLY_TEXT);
  });

  it('sends the usage chunk only with include_usage', async () => {
    const plain = await postRaw(
      fake,
      chatPath,
      { messages, stream: true },
      { 'api-key': fake.apiKey },
    );
    const asked = await postRaw(
      fake,
      chatPath,
      { messages, stream: true, stream_options: { include_usage: true } },
      { 'api-key': fake.apiKey },
    );

    expect(sseChunks(plain.text).some((c) => c.usage)).toBe(false);
    expect(sseChunks(asked.text).pop()).toMatchObject({
      choices: [],
      usage: { total_tokens: expect.any(Number) },
    });
  });

  it('refuses a missing api-version with 400', async () => {
    const raw = await postRaw(
      fake,
      '/deployments/gpt-4o-prod/chat/completions',
      { messages },
      {
        'api-key': fake.apiKey,
      },
    );

    expect(raw.status).toBe(400);
    expect(raw.json).toMatchObject({ error: { code: 'MissingApiVersionParameter' } });
  });

  it('answers DeploymentNotFound for a deployment it does not have, once deployments are set', async () => {
    fake.setModels(['gpt-4o-prod']);
    const other = new AzureOpenAI({
      endpoint: new URL(fake.baseUrl).origin,
      apiKey: fake.apiKey,
      apiVersion: AZURE_API_VERSION,
      deployment: 'gpt-5-nope',
      maxRetries: 0,
    });
    const error = (await other.chat.completions
      .create({ model: 'x', messages })
      .catch((e: unknown) => e)) as ApiError;

    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error.code).toBe('DeploymentNotFound');
    await expect(client.chat.completions.create({ model: 'x', messages })).resolves.toBeTruthy();
  });

  it('rate-limits with its own 429 body, retry-after and retry-after-ms', async () => {
    fake.failNext(429);
    const error = (await client.chat.completions
      .create({ model: 'x', messages })
      .catch((e: unknown) => e)) as ApiError;

    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error.code).toBe('429');
    expect(error.message).toContain('Please retry after 6 seconds');
    expect(error.headers?.get('retry-after')).toBe('6');
    expect(error.headers?.get('retry-after-ms')).toBe('6000');
  });

  it('refuses a filtered prompt with the content_filter 400 and its innererror', async () => {
    fake.failNext(400, { body: azureContentFilterError() });
    const error = (await client.chat.completions
      .create({ model: 'x', messages })
      .catch((e: unknown) => e)) as ApiError;

    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.code).toBe('content_filter');
    expect(error.error).toMatchObject({
      innererror: { code: 'ResponsibleAIPolicyViolation' },
    });
  });

  it('refuses a wrong key in its own words', async () => {
    const raw = await postRaw(
      fake,
      chatPath,
      { messages },
      { authorization: `Bearer ${fake.apiKey}` },
    );

    expect(raw.status).toBe(401);
    expect(raw.json).toEqual({
      error: { code: '401', message: expect.stringContaining('Access denied') },
    });
  });

  it('passes a refusal and a content_filter finish through', async () => {
    fake.setReply({ refusal: "I can't help with that.", finishReason: 'content_filter' });
    const completion = await client.chat.completions.create({ model: 'x', messages });

    expect(completion.choices[0].message).toMatchObject({
      content: null,
      refusal: "I can't help with that.",
    });
    expect(completion.choices[0].finish_reason).toBe('content_filter');
  });
});
