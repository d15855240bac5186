import { jest } from '@jest/globals';
import { firstValueFrom, toArray } from 'rxjs';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { StreamFlow } from '../../common/sse/stream-flow.js';
import type { GatewayConfig } from '../../config/gateway-config.types.js';
import type { ProviderCall } from '../llm-provider.js';
import type { ChatCompletionChunk, ChatCompletionRequest } from '../llm-provider.types.js';
import { MockScriptEngine } from './mock-script.engine.js';
import { MockAdapter } from './mock.adapter.js';

type MockSettings = GatewayConfig['providers']['mock'];

const SANDBOX: MockSettings['sandbox'] = { workers: 1, maxHeapMb: 32, maxQueued: 10 };
const engines: MockScriptEngine[] = [];
/** One engine per adapter, as the module builds it; their workers stop after the suite. */
function scriptEngine(): MockScriptEngine {
  const engine = new MockScriptEngine(SANDBOX);
  engines.push(engine);
  return engine;
}
afterAll(async () => {
  await Promise.all(engines.map((engine) => engine.onApplicationShutdown()));
});

function configWith(settings: Partial<MockSettings> = {}): GatewayConfig {
  const mock: MockSettings = {
    enabled: true,
    response: 'This is a mock response',
    latencyMs: 0,
    streamTokenDelayMs: 0,
    errorRate: 0,
    scriptTimeoutMs: 1000,
    sandbox: SANDBOX,
    embeddingDimensions: 1536,
    responseOverrides: {},
    ...settings,
  };
  return { providers: { mock }, profiles: [], sources: [] } as unknown as GatewayConfig;
}

/** Replaces the dice so error-rate outcomes are certain. */
class RiggedMockAdapter extends MockAdapter {
  rolls = 0;

  constructor(
    config: GatewayConfig,
    private readonly roll: number,
  ) {
    super(config, scriptEngine());
  }

  protected override random(): number {
    this.rolls += 1;
    return this.roll;
  }
}

const adapterWith = (settings: Partial<MockSettings> = {}) =>
  new MockAdapter(configWith(settings), scriptEngine());

const chatRequest = (extra: Partial<ChatCompletionRequest> = {}): ChatCompletionRequest => ({
  model: 'mock/default',
  messages: [{ role: 'user', content: 'Hello there, mock' }],
  ...extra,
});

const call = (signal?: AbortSignal): ProviderCall => ({
  model: 'mock/default',
  traceId: 'trace-1',
  signal,
});

const collect = (adapter: MockAdapter, request: ChatCompletionRequest) =>
  firstValueFrom(adapter.chat$(request, call()).pipe(toArray()));

const contentOf = (chunks: ChatCompletionChunk[]) =>
  chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');

describe(MockAdapter.name, () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  describe('complete', () => {
    it('answers with the configured response as an OpenAI chat completion', async () => {
      const completion = await adapterWith({ response: 'Canned answer' }).complete(
        chatRequest(),
        call(),
      );

      expect(completion).toMatchObject({
        object: 'chat.completion',
        model: 'mock/default',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: 'Canned answer', refusal: null },
            finish_reason: 'stop',
            logprobs: null,
          },
        ],
      });
      expect(completion.id).toMatch(/^chatcmpl-mock-\w+$/);
      expect(completion.created).toBeCloseTo(Date.now() / 1000, -1);
    });

    it('picks the override keyed by the full model name, and the default for other models', async () => {
      const adapter = adapterWith({
        response: 'Default answer',
        responseOverrides: { 'mock/fast': 'Fast model response' },
      });

      const fast = await adapter.complete(chatRequest({ model: 'mock/fast' }), call());
      const other = await adapter.complete(chatRequest({ model: 'mock/other' }), call());

      expect(fast.choices[0].message.content).toBe('Fast model response');
      expect(fast.model).toBe('mock/fast');
      expect(other.choices[0].message.content).toBe('Default answer');
    });

    it('estimates usage from the prompt and the answer', async () => {
      const adapter = adapterWith({ response: 'x'.repeat(40) });
      const short = await adapter.complete(chatRequest(), call());
      const long = await adapter.complete(
        chatRequest({ messages: [{ role: 'user', content: 'word '.repeat(400) }] }),
        call(),
      );

      expect(short.usage!.completion_tokens).toBe(10);
      expect(short.usage!.total_tokens).toBe(
        short.usage!.prompt_tokens + short.usage!.completion_tokens,
      );
      expect(long.usage!.prompt_tokens).toBeGreaterThan(short.usage!.prompt_tokens + 400);
    });

    it.each([
      { type: 'json_object' },
      { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' } } },
    ] as const)('wraps the text as {"result": ...} for response_format $type', async (format) => {
      const completion = await adapterWith({ response: 'He said "hi"' }).complete(
        chatRequest({ response_format: format }),
        call(),
      );

      expect(JSON.parse(completion.choices[0].message.content!)).toEqual({
        result: 'He said "hi"',
      });
    });

    it('evaluates a js: response per request, and answers a failing script with a 502', async () => {
      const adapter = adapterWith({
        responseOverrides: {
          'mock/echo': "js: 'You said: ' + request.messages[request.messages.length - 1].content",
        },
      });

      const first = await adapter.complete(
        chatRequest({ model: 'mock/echo', messages: [{ role: 'user', content: 'bonjour' }] }),
        call(),
      );
      const second = await adapter.complete(
        chatRequest({ model: 'mock/echo', messages: [{ role: 'user', content: 'hola' }] }),
        call(),
      );

      expect(first.choices[0].message.content).toBe('You said: bonjour');
      expect(second.choices[0].message.content).toBe('You said: hola');
      await expect(
        adapterWith({ response: "groovy: throw new RuntimeException('test')" }).complete(
          chatRequest(),
          call(),
        ),
      ).rejects.toMatchObject({ status: 502, code: 'provider_error', message: /'groovy' engine/ });
    });

    it('waits latency-ms before answering', async () => {
      jest.useFakeTimers();
      let answered = false;
      const pending = adapterWith({ latencyMs: 500 })
        .complete(chatRequest(), call())
        .then(() => {
          answered = true;
        });

      await jest.advanceTimersByTimeAsync(499);
      expect(answered).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      expect(answered).toBe(true);
      await pending;
    });

    it('stops waiting as soon as the call is aborted, leaving no timer behind', async () => {
      jest.useFakeTimers();
      const controller = new AbortController();
      const pending = adapterWith({ latencyMs: 10_000 }).complete(
        chatRequest(),
        call(controller.signal),
      );

      await jest.advanceTimersByTimeAsync(100);
      controller.abort();

      await expect(pending).rejects.toMatchObject({ code: 'provider_error', provider: 'mock' });
      expect(jest.getTimerCount()).toBe(0);
      await expect(
        adapterWith({ latencyMs: 10_000 }).complete(chatRequest(), call(controller.signal)),
      ).rejects.toBeInstanceOf(GatewayError);
    });
  });

  describe('error-rate', () => {
    it('fails a call whose roll falls under the rate with a retryable 502, and only then', async () => {
      const adapter = new RiggedMockAdapter(configWith({ errorRate: 0.3 }), 0.29);

      const failure = await adapter.complete(chatRequest(), call()).catch((e: unknown) => e);

      expect(failure).toBeInstanceOf(GatewayError);
      expect(failure).toMatchObject({
        status: 502,
        code: 'provider_error',
        type: 'provider_error',
        message: 'Mock provider simulated failure (error-rate 0.3)',
        provider: 'mock',
        retryable: true,
      });
      const lucky = new RiggedMockAdapter(configWith({ errorRate: 0.3 }), 0.3);
      await expect(lucky.complete(chatRequest(), call())).resolves.toBeDefined();
      expect(lucky.rolls).toBe(1);
    });

    it('fails every call at rate 1.0 and none at rate 0, with the real dice', async () => {
      const always = adapterWith({ errorRate: 1 });
      const never = adapterWith({ errorRate: 0 });

      for (let i = 0; i < 20; i += 1) {
        await expect(always.complete(chatRequest(), call())).rejects.toBeInstanceOf(GatewayError);
        await expect(never.complete(chatRequest(), call())).resolves.toBeDefined();
      }
    });

    it('applies to embeddings too', async () => {
      const adapter = new RiggedMockAdapter(configWith({ errorRate: 0.5 }), 0.1);

      await expect(adapter.embed({ model: 'mock/e', input: 'text' }, call())).rejects.toMatchObject(
        { code: 'provider_error', retryable: true },
      );
    });
  });

  describe('chat$', () => {
    it('streams a role chunk, one word per chunk, a finish chunk and a usage chunk', async () => {
      const text = 'Fast model response';
      const chunks = await collect(adapterWith({ response: text }), chatRequest());

      expect(chunks.map((c) => c.choices[0]?.delta)).toEqual([
        { role: 'assistant', content: '' },
        { content: 'Fast ' },
        { content: 'model ' },
        { content: 'response' },
        {},
        undefined,
      ]);
      expect(chunks[4].choices[0].finish_reason).toBe('stop');
      const last = chunks[5];
      expect(last.choices).toEqual([]);
      expect(last.usage).toMatchObject({ completion_tokens: 5 });
      expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
      expect(chunks[0].id).toMatch(/^chatcmpl-mock-\w+$/);
      for (const chunk of chunks) {
        expect(chunk).toMatchObject({ object: 'chat.completion.chunk', model: 'mock/default' });
        expect(chunk.created).toBe(chunks[0].created);
      }
    });

    it("sends no further word while the caller's flow is held", async () => {
      const flow = new StreamFlow();
      const seen: string[] = [];
      let completed = false;
      adapterWith({ response: 'one two three' })
        .chat$(chatRequest(), { ...call(), flow })
        .subscribe({
          next: (chunk) => {
            const content = chunk.choices[0]?.delta.content;
            if (content) seen.push(content);
            // The caller's socket fills up at the first word.
            if (content === 'one ') flow.hold();
          },
          complete: () => (completed = true),
        });

      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(seen).toEqual(['one ']);

      flow.release();
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(seen).toEqual(['one ', 'two ', 'three']);
      expect(completed).toBe(true);
    });

    it('keeps every whitespace so the joined deltas equal the text exactly', async () => {
      const text = '  Leading spaces,\n\ttabs  and   runs \n';
      const chunks = await collect(adapterWith({ response: text }), chatRequest());

      expect(contentOf(chunks)).toBe(text);
      const words = chunks.slice(1, -2).map((c) => c.choices[0].delta.content!);
      expect(words.map((w) => w.trim())).toEqual(['Leading', 'spaces,', 'tabs', 'and', 'runs']);
    });

    it('streams the wrapped JSON for structured outputs', async () => {
      const chunks = await collect(
        adapterWith({ response: 'a b' }),
        chatRequest({ response_format: { type: 'json_object' } }),
      );

      expect(JSON.parse(contentOf(chunks))).toEqual({ result: 'a b' });
    });

    it('waits latency-ms before the first chunk and stream-token-delay-ms between words', async () => {
      jest.useFakeTimers();
      const seen: ChatCompletionChunk[] = [];
      let completed = false;
      adapterWith({ latencyMs: 100, streamTokenDelayMs: 20, response: 'one two three' })
        .chat$(chatRequest(), call())
        .subscribe({ next: (c) => seen.push(c), complete: () => (completed = true) });

      await jest.advanceTimersByTimeAsync(99);
      expect(seen).toHaveLength(0);
      await jest.advanceTimersByTimeAsync(1);
      expect(contentOf(seen)).toBe('');
      expect(seen).toHaveLength(1);
      await jest.advanceTimersByTimeAsync(20);
      expect(contentOf(seen)).toBe('one ');
      await jest.advanceTimersByTimeAsync(20);
      expect(contentOf(seen)).toBe('one two ');
      expect(completed).toBe(false);
      await jest.advanceTimersByTimeAsync(20);
      expect(contentOf(seen)).toBe('one two three');
      expect(completed).toBe(true);
    });

    it('clears its timers when the caller unsubscribes, before or during the stream', async () => {
      jest.useFakeTimers();
      const seen: ChatCompletionChunk[] = [];
      const subscription = adapterWith({
        latencyMs: 100,
        streamTokenDelayMs: 20,
        response: 'one two three',
      })
        .chat$(chatRequest(), call())
        .subscribe((c) => seen.push(c));

      await jest.advanceTimersByTimeAsync(120);
      expect(seen).toHaveLength(2);
      subscription.unsubscribe();

      expect(jest.getTimerCount()).toBe(0);
      await jest.advanceTimersByTimeAsync(1000);
      expect(seen).toHaveLength(2);

      adapterWith({ latencyMs: 5000 }).chat$(chatRequest(), call()).subscribe().unsubscribe();
      expect(jest.getTimerCount()).toBe(0);
    });

    it('is cold: nothing is rolled or evaluated until someone subscribes', async () => {
      const adapter = new RiggedMockAdapter(configWith({ errorRate: 1 }), 0);

      const stream = adapter.chat$(chatRequest(), call());
      expect(adapter.rolls).toBe(0);

      await expect(firstValueFrom(stream)).rejects.toBeInstanceOf(GatewayError);
      expect(adapter.rolls).toBe(1);
    });

    it('fails before the first chunk on a simulated failure or a failing script', async () => {
      const failures = [
        new RiggedMockAdapter(configWith({ errorRate: 0.5 }), 0.2),
        adapterWith({ response: 'js: (() => { throw new Error("boom") })()' }),
      ];
      for (const adapter of failures) {
        const seen: ChatCompletionChunk[] = [];
        const error = await new Promise<unknown>((resolve) => {
          adapter.chat$(chatRequest(), call()).subscribe({
            next: (c) => seen.push(c),
            error: resolve,
          });
        });

        expect(error).toMatchObject({ status: 502, code: 'provider_error' });
        expect(seen).toHaveLength(0);
      }
    });
  });

  describe('embed', () => {
    const embed = (adapter: MockAdapter, input: string | string[] | number[], model = 'mock/e') =>
      adapter.embed({ model, input }, call());

    it('returns the same vector for the same model and text, another for other text or model', async () => {
      const adapter = adapterWith();
      const [a1, a2, b, otherModel] = await Promise.all([
        embed(adapter, 'same text'),
        embed(adapterWith(), 'same text'),
        embed(adapter, 'other text'),
        embed(adapter, 'same text', 'mock/other'),
      ]);

      expect(a1.data[0].embedding).toEqual(a2.data[0].embedding);
      expect(b.data[0].embedding).not.toEqual(a1.data[0].embedding);
      expect(otherModel.data[0].embedding).not.toEqual(a1.data[0].embedding);
    });

    it('returns unit vectors of the requested, configured or default (1536) length', async () => {
      const adapter = adapterWith({ embeddingDimensions: 256 });

      const byConfig = await embed(adapter, 'text');
      const byRequest = await adapter.embed(
        { model: 'mock/e', input: 'text', dimensions: 64 },
        call(),
      );

      expect(byConfig.data[0].embedding).toHaveLength(256);
      expect(byRequest.data[0].embedding).toHaveLength(64);
      for (const vector of [byConfig.data[0].embedding, byRequest.data[0].embedding]) {
        const norm = Math.sqrt(vector.reduce((sum, v) => sum + v * v, 0));
        expect(norm).toBeCloseTo(1, 10);
        expect(new Set(vector).size).toBe(vector.length);
      }
      expect((await embed(adapterWith(), 'text')).data[0].embedding).toHaveLength(1536);
    });

    it('embeds each input of a batch, in order, with estimated usage', async () => {
      const adapter = adapterWith({ embeddingDimensions: 8 });
      const batch = await embed(adapter, ['first', 'second text here']);
      const single = await embed(adapter, 'second text here');

      expect(batch.model).toBe('mock/e');
      expect(batch.data.map((d) => d.index)).toEqual([0, 1]);
      expect(batch.data[1].embedding).toEqual(single.data[0].embedding);
      expect(batch.usage).toEqual({ prompt_tokens: 2 + 4, total_tokens: 2 + 4 });
    });

    it('treats an array of numbers as one tokenised input, distinct from the same digits as text', async () => {
      const adapter = adapterWith({ embeddingDimensions: 8 });
      const tokens = await embed(adapter, [1, 2, 3]);
      const text = await embed(adapter, '1,2,3');

      expect(tokens.data).toHaveLength(1);
      expect(tokens.usage.prompt_tokens).toBe(3);
      expect(tokens.data[0].embedding).not.toEqual(text.data[0].embedding);
    });

    it('honours latency and abort', async () => {
      jest.useFakeTimers();
      const controller = new AbortController();
      const pending = adapterWith({ latencyMs: 1000 }).embed(
        { model: 'mock/e', input: 'x' },
        call(controller.signal),
      );

      controller.abort();

      await expect(pending).rejects.toMatchObject({ code: 'provider_error' });
      expect(jest.getTimerCount()).toBe(0);
    });
  });

  describe('models and capabilities', () => {
    it('lists mock/default and every mock/ override, owned by mock', () => {
      const adapter = adapterWith({
        responseOverrides: { 'mock/fast': 'a', 'mock/default': 'b', 'other/x': 'c' },
      });

      expect(adapter.listModels()).toEqual([
        { id: 'mock/default', ownedBy: 'mock' },
        { id: 'mock/fast', ownedBy: 'mock' },
      ]);
    });

    it('streams, emulates structured outputs, embeds, and has no vision or tools', () => {
      expect(adapterWith().capabilities('mock/default')).toEqual({
        streaming: true,
        vision: false,
        tools: false,
        jsonSchema: 'emulated',
        jsonObject: 'emulated',
        embeddings: true,
        maxContextTokens: 128_000,
      });
      expect(adapterWith().id).toBe('mock');
    });
  });
});
