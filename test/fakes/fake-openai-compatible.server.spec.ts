import OpenAI, { AzureOpenAI } from 'openai';
import type { FakeDialect } from './dialects/fake-dialect.js';
import { asRecord } from './dialects/fake-dialect.helpers.js';
import { WEATHER_CALL, WEATHER_TOOL } from './dialects/fake-dialect.testing.js';
import { AZURE_API_VERSION, AZURE_OPENAI_DIALECT } from './dialects/azure-openai.dialect.js';
import { CHATGLM_DIALECT } from './dialects/chatglm.dialect.js';
import { DEEPSEEK_DIALECT } from './dialects/deepseek.dialect.js';
import { GROK_DIALECT } from './dialects/grok.dialect.js';
import { GROQ_DIALECT } from './dialects/groq.dialect.js';
import {
  LONG_TAIL_DIALECT,
  longTailDialect,
  PERPLEXITY_STYLE,
} from './dialects/long-tail.dialect.js';
import { MISTRAL_DIALECT } from './dialects/mistral.dialect.js';
import { MOONSHOT_DIALECT } from './dialects/moonshot.dialect.js';
import { OLLAMA_DIALECT } from './dialects/ollama.dialect.js';
import { OPENAI_DIALECT } from './dialects/openai.dialect.js';
import { QWEN_DIALECT } from './dialects/qwen.dialect.js';
import {
  DEFAULT_REPLY_TEXT,
  FakeOpenAiCompatibleServer,
  fakeEmbedding,
} from './fake-openai-compatible.server.js';

type ApiError = InstanceType<typeof OpenAI.APIError>;
type ApiErrorClass = new (...args: never[]) => ApiError;

/** One vendor as the official `openai` SDK meets it. */
interface SdkCase {
  readonly dialect: FakeDialect;
  readonly model: string;
  /** The chat path the fake must record (query aside). */
  readonly chatPath: string;
  readonly embeddings?: { readonly model: string; readonly path: string; readonly float?: true };
  /** How the vendor answers a wrong key (none: Ollama checks no key). */
  readonly wrongKey?: { readonly status: number; readonly error: ApiErrorClass };
  /** The SDK's stream helper can assemble its streamed tool calls (it needs `index` and `type`). */
  readonly assemblesToolStream: boolean;
  readonly listsModels: boolean;
  /** The SDK pointed at the fake, as a user of that vendor would point it. */
  readonly client?: (fake: FakeOpenAiCompatibleServer, apiKey: string) => OpenAI;
}

const UNAUTHORIZED = { status: 401, error: OpenAI.AuthenticationError };

const CASES: SdkCase[] = [
  {
    dialect: OPENAI_DIALECT,
    model: 'gpt-4o-mini',
    chatPath: '/v1/chat/completions',
    embeddings: { model: 'text-embedding-3-small', path: '/v1/embeddings' },
    wrongKey: UNAUTHORIZED,
    assemblesToolStream: true,
    listsModels: true,
  },
  {
    dialect: AZURE_OPENAI_DIALECT,
    model: 'gpt-4o-prod',
    chatPath: '/openai/deployments/gpt-4o-prod/chat/completions',
    embeddings: {
      model: 'embed-prod',
      path: '/openai/deployments/embed-prod/embeddings',
    },
    wrongKey: UNAUTHORIZED,
    assemblesToolStream: true,
    listsModels: false,
    client: (fake, apiKey) =>
      new AzureOpenAI({
        endpoint: new URL(fake.baseUrl).origin,
        apiKey,
        apiVersion: AZURE_API_VERSION,
        maxRetries: 0,
      }),
  },
  {
    dialect: MISTRAL_DIALECT,
    model: 'mistral-small-latest',
    chatPath: '/v1/chat/completions',
    embeddings: { model: 'mistral-embed', path: '/v1/embeddings' },
    wrongKey: UNAUTHORIZED,
    assemblesToolStream: false,
    listsModels: true,
  },
  {
    dialect: GROQ_DIALECT,
    model: 'llama-3.3-70b-versatile',
    chatPath: '/openai/v1/chat/completions',
    wrongKey: UNAUTHORIZED,
    assemblesToolStream: true,
    listsModels: true,
  },
  {
    dialect: DEEPSEEK_DIALECT,
    model: 'deepseek-chat',
    chatPath: '/v1/chat/completions',
    wrongKey: UNAUTHORIZED,
    assemblesToolStream: true,
    listsModels: true,
  },
  {
    dialect: QWEN_DIALECT,
    model: 'qwen-plus',
    chatPath: '/compatible-mode/v1/chat/completions',
    embeddings: {
      model: 'text-embedding-v3',
      path: '/compatible-mode/v1/embeddings',
      float: true,
    },
    wrongKey: UNAUTHORIZED,
    assemblesToolStream: true,
    listsModels: true,
  },
  {
    dialect: MOONSHOT_DIALECT,
    model: 'moonshot-v1-8k',
    chatPath: '/v1/chat/completions',
    wrongKey: UNAUTHORIZED,
    assemblesToolStream: true,
    listsModels: true,
  },
  {
    dialect: CHATGLM_DIALECT,
    model: 'glm-4.5',
    chatPath: '/api/paas/v4/chat/completions',
    embeddings: { model: 'embedding-3', path: '/api/paas/v4/embeddings', float: true },
    wrongKey: UNAUTHORIZED,
    assemblesToolStream: true,
    listsModels: false,
  },
  {
    dialect: GROK_DIALECT,
    model: 'grok-3',
    chatPath: '/v1/chat/completions',
    wrongKey: { status: 400, error: OpenAI.BadRequestError },
    assemblesToolStream: true,
    listsModels: true,
  },
  {
    dialect: OLLAMA_DIALECT,
    model: 'llama3.2',
    chatPath: '/v1/chat/completions',
    embeddings: { model: 'nomic-embed-text', path: '/v1/embeddings', float: true },
    assemblesToolStream: true,
    listsModels: true,
    client: (fake, apiKey) => new OpenAI({ baseURL: `${fake.baseUrl}/v1`, apiKey, maxRetries: 0 }),
  },
  {
    dialect: LONG_TAIL_DIALECT,
    model: 'llama-3.1-8b-instruct',
    chatPath: '/v1/chat/completions',
    embeddings: { model: 'bge-small-en', path: '/v1/embeddings' },
    wrongKey: UNAUTHORIZED,
    assemblesToolStream: true,
    listsModels: true,
  },
  {
    dialect: longTailDialect(PERPLEXITY_STYLE),
    model: 'sonar',
    chatPath: '/chat/completions',
    wrongKey: UNAUTHORIZED,
    assemblesToolStream: true,
    listsModels: false,
  },
];

const messages = [{ role: 'user' as const, content: 'Say hello' }];

/** The vendor's error envelope arrived as the SDK's `error` (its message, for flat bodies). */
function expectVendorBody(error: ApiError, body: unknown): void {
  const envelope = asRecord(body)?.error;
  if (envelope !== undefined) expect(error.error).toEqual(envelope);
  else expect(error.error).toBeUndefined();
}

describe.each(CASES.map((c) => [c.dialect.name, c] as const))(
  `${FakeOpenAiCompatibleServer.name} (%s) with the openai SDK`,
  (_name, item) => {
    const fake = new FakeOpenAiCompatibleServer(item.dialect);
    let client: OpenAI;
    const connect = (apiKey: string) =>
      item.client?.(fake, apiKey) ?? new OpenAI({ baseURL: fake.baseUrl, apiKey, maxRetries: 0 });

    beforeAll(async () => {
      await fake.start();
      client = connect(fake.apiKey);
    });

    afterEach(() => fake.reset());

    afterAll(() => fake.close());

    it('answers a chat completion the SDK reads, on the vendor path', async () => {
      const completion = await client.chat.completions.create({ model: item.model, messages });

      expect(completion.choices[0].message.content).toBe(DEFAULT_REPLY_TEXT);
      expect(completion.choices[0].finish_reason).toBe('stop');
      expect(completion.usage?.prompt_tokens).toBeGreaterThan(0);
      expect(fake.lastRequest?.path.split('?')[0]).toBe(item.chatPath);
      expect(fake.lastRequest?.body).toMatchObject({ messages });
    });

    it("streams a text answer the SDK's stream helper assembles", async () => {
      const stream = client.chat.completions.stream({ model: item.model, messages });
      const completion = await stream.finalChatCompletion();

      expect(completion.choices[0].message.content).toBe(DEFAULT_REPLY_TEXT);
      expect(completion.choices[0].finish_reason).toBe('stop');
    });

    it('answers a tool call in JSON', async () => {
      fake.setReply({ toolCalls: [WEATHER_CALL] });
      const completion = await client.chat.completions.create({
        model: item.model,
        messages,
        tools: [WEATHER_TOOL],
      });

      expect(completion.choices[0].finish_reason).toBe('tool_calls');
      const call = completion.choices[0].message.tool_calls?.[0];
      expect(call).toMatchObject({ id: expect.any(String), function: WEATHER_CALL });
    });

    it('streams a tool call', async () => {
      fake.setReply({ toolCalls: [WEATHER_CALL, { ...WEATHER_CALL, name: 'get_time' }] });
      const params = { model: item.model, messages, tools: [WEATHER_TOOL] };

      if (item.assemblesToolStream) {
        const completion = await client.chat.completions.stream(params).finalChatCompletion();
        expect(completion.choices[0].finish_reason).toBe('tool_calls');
        expect(completion.choices[0].message.tool_calls?.map((c) => c.function)).toEqual([
          WEATHER_CALL,
          { ...WEATHER_CALL, name: 'get_time' },
        ]);
        return;
      }
      // Mistral's tool calls carry neither `index` nor `type`, which the SDK's stream helper
      // needs (as against the real API): read the raw chunks instead.
      const stream = await client.chat.completions.create({ ...params, stream: true });
      const calls = [];
      for await (const chunk of stream) calls.push(...(chunk.choices[0]?.delta.tool_calls ?? []));
      expect(calls.map((c) => c.function)).toEqual([
        WEATHER_CALL,
        { ...WEATHER_CALL, name: 'get_time' },
      ]);
    });

    const embeddings = item.embeddings;
    if (embeddings) {
      it('serves embeddings the SDK decodes', async () => {
        const result = await client.embeddings.create({
          model: embeddings.model,
          input: ['alpha', 'beta'],
          ...(embeddings.float ? { encoding_format: 'float' as const } : {}),
        });

        expect(result.data.map((d) => d.embedding)).toEqual([
          fakeEmbedding('alpha'),
          fakeEmbedding('beta'),
        ]);
        expect(fake.lastRequest?.path.split('?')[0]).toBe(embeddings.path);
      });
    }

    if (item.listsModels) {
      it('lists models', async () => {
        fake.setModels(['model-a', 'model-b']);
        const ids = [];
        for await (const model of client.models.list()) ids.push(model.id);
        expect(ids).toEqual(['model-a', 'model-b']);
      });
    }

    it("fails a scripted request with the vendor's body, raised as the SDK's error class", async () => {
      fake.failNext(429);
      const error = (await client.chat.completions
        .create({ model: item.model, messages })
        .catch((e: unknown) => e)) as ApiError;

      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      expectVendorBody(error, item.dialect.failure(429, item.chatPath).body);
    });

    it("ends a stream with the vendor's error frame when scripted", async () => {
      fake.streamErrorNext(2);
      const stream = await client.chat.completions.create({
        model: item.model,
        messages,
        stream: true,
      });
      const received: unknown[] = [];
      const error: unknown = await (async () => {
        for await (const chunk of stream) received.push(chunk);
      })().catch((e: unknown) => e);

      const frame = asRecord(item.dialect.streamError());
      if (frame?.error !== undefined) {
        expect(error).toBeInstanceOf(OpenAI.APIError);
        expect(received).toHaveLength(2);
      } else {
        // A flat error frame (Mistral's envelope) is no error to the SDK: it arrives as a chunk.
        expect(received).toEqual([expect.anything(), expect.anything(), frame]);
      }
    });

    it('ends a stream without a finish reason when scripted', async () => {
      fake.omitFinishReasonNext({ sendDone: true });
      const error: unknown = await client.chat.completions
        .stream({ model: item.model, messages })
        .finalChatCompletion()
        .catch((e: unknown) => e);

      expect(String(error)).toContain('missing finish_reason');
    });

    it('notices a client that leaves a stalled stream', async () => {
      fake.stallStreamNext(1);
      const stream = await client.chat.completions.create({
        model: item.model,
        messages,
        stream: true,
      });
      await stream[Symbol.asyncIterator]().next();
      stream.controller.abort();
      await fake.waitForClientDisconnects(1);

      expect(fake.clientDisconnects[0].chunksSent).toBe(1);
      expect(fake.clientDisconnects[0].path.split('?')[0]).toBe(item.chatPath);
    });

    const wrongKey = item.wrongKey;
    if (wrongKey) {
      it('refuses a wrong key', async () => {
        const error = (await connect('sk-wrong-key-1234')
          .chat.completions.create({ model: item.model, messages })
          .catch((e: unknown) => e)) as ApiError;

        expect(error).toBeInstanceOf(wrongKey.error);
        expect(error.status).toBe(wrongKey.status);
      });
    }
  },
);
