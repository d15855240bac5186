import {
  BedrockRuntimeClient,
  ConverseCommand,
  type ConverseCommandInput,
  ConverseStreamCommand,
  type ConverseStreamOutput,
  InvokeModelCommand,
  ModelStreamErrorException,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import {
  DEFAULT_REPLY_TEXT,
  FAKE_AWS_ACCESS_KEY_ID,
  FAKE_AWS_REGION,
  FAKE_AWS_SECRET_ACCESS_KEY,
  FakeBedrockServer,
  fakeBedrockEmbedding,
} from './fake-bedrock.server.js';

const MODEL = 'anthropic.claude-3-sonnet-20240229-v1:0';

/**
 * The fake is only useful if it is the real wire format: these tests drive it with the official
 * `@aws-sdk/client-bedrock-runtime` (SigV4 signer, REST-JSON and event-stream parsers, exception
 * deserialisation), over `NodeHttpHandler` since the fake speaks HTTP/1.1.
 */
describe(FakeBedrockServer.name, () => {
  const fake = new FakeBedrockServer();
  const clients: BedrockRuntimeClient[] = [];

  function sdk(
    credentials = {
      accessKeyId: FAKE_AWS_ACCESS_KEY_ID,
      secretAccessKey: FAKE_AWS_SECRET_ACCESS_KEY,
    },
    region = FAKE_AWS_REGION,
  ) {
    const client = new BedrockRuntimeClient({
      region,
      endpoint: fake.endpoint,
      credentials,
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler(),
    });
    clients.push(client);
    return client;
  }

  async function failure(promise: Promise<unknown>): Promise<Error> {
    const outcome = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(outcome instanceof Error)) throw new Error('expected the call to fail');
    return outcome;
  }

  async function events(input: ConverseCommandInput): Promise<ConverseStreamOutput[]> {
    const output = await sdk().send(new ConverseStreamCommand(input));
    const all: ConverseStreamOutput[] = [];
    for await (const event of output.stream!) all.push(event);
    return all;
  }

  const hello: ConverseCommandInput = {
    modelId: MODEL,
    messages: [{ role: 'user', content: [{ text: 'Say hello' }] }],
  };

  beforeAll(() => fake.start());
  afterEach(() => {
    fake.reset();
    clients.splice(0).forEach((c) => c.destroy());
  });
  afterAll(() => fake.close());

  it('answers Converse as the SDK reads it, and records the signed request', async () => {
    const output = await sdk().send(
      new ConverseCommand({ ...hello, inferenceConfig: { maxTokens: 64, temperature: 0.2 } }),
    );

    expect(output.output?.message).toEqual({
      role: 'assistant',
      content: [{ text: DEFAULT_REPLY_TEXT }],
    });
    expect(output.stopReason).toBe('end_turn');
    expect(output.usage).toMatchObject({
      inputTokens: expect.any(Number),
      outputTokens: expect.any(Number),
    });
    expect(output.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);

    const sent = fake.lastRequest!;
    expect(sent.path).toBe('/model/anthropic.claude-3-sonnet-20240229-v1%3A0/converse');
    expect(sent.modelId).toBe(MODEL);
    expect(sent.headers.authorization).toMatch(
      new RegExp(
        `^AWS4-HMAC-SHA256 Credential=${FAKE_AWS_ACCESS_KEY_ID}/\\d{8}/us-east-1/bedrock/aws4_request, `,
      ),
    );
    expect(sent.body).toEqual({
      messages: [{ role: 'user', content: [{ text: 'Say hello' }] }],
      inferenceConfig: { maxTokens: 64, temperature: 0.2 },
    });
  });

  it('returns tool uses with their input as an object', async () => {
    fake.setReply({
      text: 'Let me check.',
      toolUses: [{ id: 'tooluse_1', name: 'get_weather', input: { city: 'Paris' } }],
    });
    const output = await sdk().send(
      new ConverseCommand({
        ...hello,
        toolConfig: {
          tools: [{ toolSpec: { name: 'get_weather', inputSchema: { json: { type: 'object' } } } }],
          toolChoice: { auto: {} },
        },
      }),
    );

    expect(output.stopReason).toBe('tool_use');
    expect(output.output?.message?.content).toEqual([
      { text: 'Let me check.' },
      { toolUse: { toolUseId: 'tooluse_1', name: 'get_weather', input: { city: 'Paris' } } },
    ]);
  });

  it('streams text and a tool use in the order Bedrock sends them, padding dropped', async () => {
    fake.setReply({
      text: 'Checking the weather',
      toolUses: [
        { id: 'tooluse_9', name: 'get_weather', input: { city: 'Paris', unit: 'celsius' } },
      ],
    });
    fake.setStreamFormat({ splitWrites: true });
    const all = await events({
      ...hello,
      toolConfig: {
        tools: [{ toolSpec: { name: 'get_weather', inputSchema: { json: { type: 'object' } } } }],
      },
    });

    expect(all[0]).toEqual({ messageStart: { role: 'assistant' } });
    const text = all.map((e) => e.contentBlockDelta?.delta?.text ?? '').join('');
    expect(text).toBe('Checking the weather');
    const start = all.find((e) => e.contentBlockStart);
    expect(start?.contentBlockStart).toEqual({
      contentBlockIndex: 1,
      start: { toolUse: { toolUseId: 'tooluse_9', name: 'get_weather' } },
    });
    const fragments = all
      .filter((e) => e.contentBlockDelta?.contentBlockIndex === 1)
      .map((e) => e.contentBlockDelta!.delta!.toolUse!.input!);
    expect(fragments.length).toBeGreaterThan(2);
    expect(JSON.parse(fragments.join(''))).toEqual({ city: 'Paris', unit: 'celsius' });
    const types = all.map((e) => Object.keys(e)[0]);
    expect(types.slice(-2)).toEqual(['messageStop', 'metadata']);
    expect(all[all.length - 2].messageStop).toEqual({ stopReason: 'tool_use' });
    expect(all[all.length - 1].metadata?.usage?.totalTokens).toBeGreaterThan(0);
    expect(JSON.stringify(all)).not.toContain('"p"');
  });

  it('raises an exception frame mid-stream as the SDK exception, after the events before it', async () => {
    fake.streamExceptionNext(2, 'modelStreamErrorException');
    const output = await sdk().send(new ConverseStreamCommand(hello));
    const seen: ConverseStreamOutput[] = [];
    const error = await failure(
      (async () => {
        for await (const event of output.stream!) seen.push(event);
      })(),
    );

    expect(seen).toHaveLength(2);
    expect(error).toBeInstanceOf(ModelStreamErrorException);
    expect((error as ModelStreamErrorException).originalStatusCode).toBe(500);
  });

  it('raises a throttling frame mid-stream as ThrottlingException', async () => {
    fake.streamExceptionNext(1, 'throttlingException', 'Too many tokens');
    const output = await sdk().send(new ConverseStreamCommand(hello));
    const error = await failure(
      (async () => {
        for await (const event of output.stream!) void event;
      })(),
    );
    expect(error).toBeInstanceOf(ThrottlingException);
    expect(error.message).toBe('Too many tokens');
  });

  it('serves Titan embeddings through InvokeModel', async () => {
    const output = await sdk().send(
      new InvokeModelCommand({
        modelId: 'amazon.titan-embed-text-v2:0',
        contentType: 'application/json',
        accept: 'application/json',
        body: JSON.stringify({ inputText: 'alpha', dimensions: 256 }),
      }),
    );
    const body = JSON.parse(Buffer.from(output.body).toString('utf8')) as {
      embedding: number[];
      inputTextTokenCount: number;
    };

    expect(fake.lastRequest?.path).toBe('/model/amazon.titan-embed-text-v2%3A0/invoke');
    expect(body.embedding).toEqual(fakeBedrockEmbedding('alpha', 256));
    expect(body.inputTextTokenCount).toBeGreaterThan(0);
  });

  it('fails scripted calls with the exception the SDK names from x-amzn-ErrorType', async () => {
    fake.failNext('ThrottlingException');
    const error = await failure(sdk().send(new ConverseCommand(hello)));

    expect(error).toBeInstanceOf(ThrottlingException);
    expect((error as ThrottlingException).$metadata.httpStatusCode).toBe(429);
  });

  it.each([
    [
      'a conversation that starts with the assistant',
      { messages: [{ role: 'assistant' as const, content: [{ text: 'Hi' }] }] },
      /must start with a user message/,
    ],
    [
      'roles that do not alternate',
      {
        messages: [
          { role: 'user' as const, content: [{ text: 'a' }] },
          { role: 'user' as const, content: [{ text: 'b' }] },
        ],
      },
      /must alternate between user and assistant/,
    ],
    [
      'a temperature above 1',
      { messages: hello.messages, inferenceConfig: { temperature: 1.5 } },
      /inferenceConfig\.temperature/,
    ],
    [
      'a blank text block',
      { messages: [{ role: 'user' as const, content: [{ text: '  ' }] }] },
      /is blank/,
    ],
    [
      'tool blocks without a toolConfig',
      {
        messages: [
          { role: 'user' as const, content: [{ text: 'weather?' }] },
          {
            role: 'assistant' as const,
            content: [{ toolUse: { toolUseId: 't1', name: 'get_weather', input: {} } }],
          },
          {
            role: 'user' as const,
            content: [{ toolResult: { toolUseId: 't1', content: [{ text: 'sunny' }] } }],
          },
        ],
      },
      /toolConfig field must be defined/,
    ],
    [
      'a tool result that answers no tool use',
      {
        messages: [
          { role: 'user' as const, content: [{ text: 'weather?' }] },
          {
            role: 'assistant' as const,
            content: [{ toolUse: { toolUseId: 't1', name: 'get_weather', input: {} } }],
          },
          {
            role: 'user' as const,
            content: [{ toolResult: { toolUseId: 't2', content: [{ text: 'sunny' }] } }],
          },
        ],
        toolConfig: {
          tools: [{ toolSpec: { name: 'get_weather', inputSchema: { json: { type: 'object' } } } }],
        },
      },
      /exceeds the number of toolUse blocks/,
    ],
  ])(
    'refuses %s with a ValidationException',
    async (_name, input: Omit<ConverseCommandInput, 'modelId'>, message) => {
      const error = await failure(sdk().send(new ConverseCommand({ modelId: MODEL, ...input })));

      expect(error).toBeInstanceOf(ValidationException);
      expect(error.message).toMatch(message);
    },
  );

  it('refuses an unknown access key, and a signature made with the wrong secret', async () => {
    const unknown = await failure(
      sdk({ accessKeyId: 'AKIAUNKNOWN', secretAccessKey: FAKE_AWS_SECRET_ACCESS_KEY }).send(
        new ConverseCommand(hello),
      ),
    );
    const badSecret = await failure(
      sdk({ accessKeyId: FAKE_AWS_ACCESS_KEY_ID, secretAccessKey: 'wrong-secret' }).send(
        new ConverseCommand(hello),
      ),
    );
    const badRegion = await failure(sdk(undefined, 'eu-west-1').send(new ConverseCommand(hello)));

    expect(unknown.name).toBe('UnrecognizedClientException');
    expect(badSecret.name).toBe('InvalidSignatureException');
    expect(badRegion.name).toBe('InvalidSignatureException');
    expect(
      (badSecret as Error & { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode,
    ).toBe(403);
  });

  it('notices a client that aborts a stalled stream', async () => {
    fake.stallStreamNext(2);
    const controller = new AbortController();
    const output = await sdk().send(new ConverseStreamCommand(hello), {
      abortSignal: controller.signal,
    });
    const iterator = output.stream![Symbol.asyncIterator]();
    await iterator.next();
    controller.abort();

    await fake.waitForClientDisconnects(1);
    expect(fake.clientDisconnects).toEqual([
      { path: '/model/anthropic.claude-3-sonnet-20240229-v1%3A0/converse-stream', eventsSent: 2 },
    ]);
  });
});
