import { createServer } from 'node:net';
import OpenAI, { APIError } from 'openai';
import {
  DEFAULT_REPLY_TEXT,
  type FakeDialect,
  FakeOpenAiCompatibleServer,
} from '../../fakes/fake-openai-compatible.server.js';
import {
  type GatewayUnderTest,
  issueKey,
  postJson,
  readJson,
  readSse,
  startGateway,
} from '../../helpers/gateway-harness.js';
import { expectOpenAiShape } from '../../helpers/openai-schemas.js';

/**
 * One OpenAI-compatible provider, described for {@link describeOpenAiCompatibleProvider}: how the
 * gateway is pointed at the vendor's fake, what the fake must see, and the vendor's row of the
 * contract's capability matrix.
 */
export interface CompatibleProviderCase {
  /** The provider id (`X-Gateway-Provider`). */
  readonly id: string;
  /** Its key under `gateway.providers` (`azure-openai`, or `custom.<name>`). */
  readonly configPath: string;
  readonly dialect: FakeDialect;
  /** Activation env vars, given the started fake. */
  env(fake: FakeOpenAiCompatibleServer): Record<string, string>;
  /** Extra YAML lines under `gateway:` (routes), indented for that level. */
  readonly gatewayYaml?: string[];
  /** Extra YAML lines under `gateway.providers.<configPath>` (already indented for that level). */
  readonly providerYaml?: (fake: FakeOpenAiCompatibleServer) => string[];
  /** What the caller sends as `model`, and what the upstream must receive (body or path). */
  readonly model: string;
  readonly upstreamModel: string;
  /** The chat path the fake must see (without the query). */
  readonly chatPath: string;
  /** The credential header the fake must see, or `undefined` for none. */
  readonly credential: ((fake: FakeOpenAiCompatibleServer) => [string, string]) | undefined;
  readonly capabilities: {
    readonly vision: boolean;
    readonly tools: boolean;
    readonly jsonObject: boolean;
    readonly jsonSchema: boolean;
    readonly maxContextTokens: number;
  };
  /** Where the upstream receives the model when not in the body (Azure's deployment path). */
  readonly modelInPath?: boolean;
  readonly embeddings?: {
    readonly model: string;
    readonly upstreamModel: string;
    readonly path: string;
  };
}

/** What a vendor's own tests get, once the suite's gateway and fake are up. */
export interface CompatibleProviderContext {
  readonly gw: GatewayUnderTest;
  readonly fake: FakeOpenAiCompatibleServer;
  readonly client: OpenAI;
  readonly chatUrl: string;
}

const PNG_DATA_URL =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Current weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

/** A port nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** YAML for the suite's gateway: short timeouts, no retries and no breaker (each test sees one call). */
export function compatibleGatewayYaml(
  item: CompatibleProviderCase,
  fake: FakeOpenAiCompatibleServer,
): string {
  const path = item.configPath.split('.');
  const indent = (depth: number) => '  '.repeat(depth);
  const lines = [
    'gateway:',
    '  upstream:',
    '    request-timeout-ms: 1500',
    '    stream-idle-timeout-ms: 1500',
    '  providers:',
  ];
  path.forEach((segment, i) => lines.push(`${indent(i + 2)}${segment}:`));
  const depth = path.length + 2;
  for (const line of item.providerYaml?.(fake) ?? []) lines.push(`${indent(depth)}${line}`);
  lines.push(
    `${indent(depth)}resilience:`,
    `${indent(depth + 1)}retry: { max-attempts: 1 }`,
    `${indent(depth + 1)}circuit-breaker: { enabled: false }`,
  );
  for (const line of item.gatewayYaml ?? []) lines.push(`  ${line}`);
  return lines.join('\n');
}

/**
 * The behaviour every OpenAI-compatible provider owes its callers (issue 3), end to end: the
 * official `openai` SDK as the client, the gateway in the middle, the vendor's fake as upstream.
 * `quirks` adds the vendor's own tests in the same describe, with the same gateway and fake.
 */
export function describeOpenAiCompatibleProvider(
  item: CompatibleProviderCase,
  quirks?: (context: () => CompatibleProviderContext) => void,
): void {
  describe(`${item.id} provider through the gateway (OpenAI-compatible suite)`, () => {
    const fake = new FakeOpenAiCompatibleServer(item.dialect);
    let gw: GatewayUnderTest;
    let client: OpenAI;
    let callerKey = '';
    const chatUrl = () => `${gw.url}/v1/chat/completions`;
    const hello = () => ({
      model: item.model,
      messages: [{ role: 'user' as const, content: 'Hello' }],
    });
    const streamRequest = (extra: object = {}) =>
      fetch(chatUrl(), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...hello(), stream: true, ...extra }),
      });
    const upstreamModel = (body: unknown, path: string) =>
      item.modelInPath ? decodeURIComponent(path) : (body as { model?: string }).model;

    beforeAll(async () => {
      await fake.start();
      gw = await startGateway({ env: item.env(fake), yaml: compatibleGatewayYaml(item, fake) });
      callerKey = await issueKey(gw);
      client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: callerKey, maxRetries: 0 });
    });
    afterEach(() => fake.reset());
    afterAll(async () => {
      await gw.close();
      await fake.close();
    });

    it("answers a chat through the SDK, calling the vendor's URL with its credential and model", async () => {
      const response = await client.chat.completions
        .create({ ...hello(), messages: [{ role: 'user', content: 'Hello' }], temperature: 0.2 })
        .withResponse();
      const completion = response.data;
      expect(completion.choices[0].message.content).toBe(DEFAULT_REPLY_TEXT);
      expectOpenAiShape('CreateChatCompletionResponse', completion);
      expect(response.response.headers.get('x-gateway-provider')).toBe(item.id);

      expect(fake.requests).toHaveLength(1);
      const received = fake.requests[0];
      expect(received.path.split('?')[0]).toBe(item.chatPath);
      if (item.modelInPath)
        expect(upstreamModel(received.body, received.path)).toContain(item.upstreamModel);
      else expect(upstreamModel(received.body, received.path)).toBe(item.upstreamModel);
      if (item.credential) {
        const [name, value] = item.credential(fake);
        expect(received.headers[name]).toBe(value);
      }
      // The caller's gateway key never travels upstream.
      expect(JSON.stringify(received.headers)).not.toContain(callerKey);
      expect(received.body).toMatchObject({ temperature: 0.2 });
    });

    it('streams through the SDK, showing the usage chunk only to a caller that asked', async () => {
      const plain = await client.chat.completions.create({ ...hello(), stream: true } as never);
      let text = '';
      let sawUsage = false;
      for await (const chunk of plain as unknown as AsyncIterable<OpenAI.ChatCompletionChunk>) {
        expectOpenAiShape('CreateChatCompletionStreamResponse', chunk);
        text += chunk.choices[0]?.delta?.content ?? '';
        if (chunk.usage) sawUsage = true;
      }
      expect(text).toBe(DEFAULT_REPLY_TEXT);
      expect(sawUsage).toBe(false);

      const withUsage = await client.chat.completions.create({
        ...hello(),
        stream: true,
        stream_options: { include_usage: true },
      } as never);
      const chunks: OpenAI.ChatCompletionChunk[] = [];
      for await (const chunk of withUsage as unknown as AsyncIterable<OpenAI.ChatCompletionChunk>) {
        chunks.push(chunk);
      }
      const last = chunks[chunks.length - 1];
      expect(last.choices).toEqual([]);
      expect(last.usage?.total_tokens).toBeGreaterThan(0);
      expect(last.usage?.total_tokens).toBe(
        (last.usage?.prompt_tokens ?? 0) + (last.usage?.completion_tokens ?? 0),
      );
      expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    });

    it('keeps the text intact across split writes, CRLF, data: without a space and keep-alives', async () => {
      fake.setStreamFormat({
        splitWrites: true,
        crlf: true,
        noSpaceAfterColon: true,
        keepAliveComments: true,
      });
      const { data } = await readSse(await streamRequest());
      expect(data[data.length - 1]).toBe('[DONE]');
      const text = data
        .slice(0, -1)
        .map((d) => JSON.parse(d).choices[0]?.delta?.content ?? '')
        .join('');
      expect(text).toBe(DEFAULT_REPLY_TEXT);
    });

    it('lists its models with the capability row of the contract', async () => {
      const models = await readJson(await fetch(`${gw.url}/v1/models`));
      const mine = models.data.filter((m: { owned_by: string }) => m.owned_by === item.id);
      expect(mine.length).toBeGreaterThan(0);
      expect(mine[0].capabilities).toMatchObject({
        supports_streaming: true,
        supports_vision: item.capabilities.vision,
        supports_tool_calls: item.capabilities.tools,
        supports_json_mode: item.capabilities.jsonObject,
        supports_structured_outputs: item.capabilities.jsonSchema,
        max_context_tokens: item.capabilities.maxContextTokens,
      });
    });

    if (item.capabilities.tools) {
      it('returns a tool call through the SDK, and sends the tools upstream', async () => {
        fake.setReply({ toolCalls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }] });
        const completion = await client.chat.completions.create({
          ...hello(),
          messages: [{ role: 'user', content: 'Weather in Paris?' }],
          tools: [weatherTool],
        });
        const choice = completion.choices[0];
        expect(choice.finish_reason).toBe('tool_calls');
        const call = choice.message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall;
        expect(call.function).toEqual({ name: 'get_weather', arguments: '{"city":"Paris"}' });
        expect(call.id).not.toBe('');
        expect((fake.requests[0].body as { tools: unknown[] }).tools).toHaveLength(1);
      });

      it("streams a tool call that the SDK's accumulator assembles whole", async () => {
        fake.setReply({
          toolCalls: [{ name: 'get_weather', arguments: '{"city":"Rome","unit":"c"}' }],
        });
        const stream = client.chat.completions.stream({
          ...hello(),
          messages: [{ role: 'user', content: 'Weather in Rome?' }],
          tools: [weatherTool],
        });
        const final = await stream.finalChatCompletion();
        const call = final.choices[0].message.tool_calls![0];
        expect(final.choices[0].finish_reason).toBe('tool_calls');
        expect(call.function.name).toBe('get_weather');
        expect(JSON.parse(call.function.arguments)).toEqual({ city: 'Rome', unit: 'c' });
      });
    }

    if (item.capabilities.vision) {
      it('sends an image part upstream', async () => {
        const completion = await client.chat.completions.create({
          ...hello(),
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: 'What is this?' },
                { type: 'image_url', image_url: { url: PNG_DATA_URL } },
              ],
            },
          ],
        });
        expect(completion.choices[0].message.content).toBe(DEFAULT_REPLY_TEXT);
        const sent = JSON.stringify(fake.requests[0].body);
        expect(sent).toContain(PNG_DATA_URL);
      });
    }

    if (item.capabilities.jsonObject) {
      it('passes response_format json_object upstream', async () => {
        fake.setReply({ content: '{"ok":true}' });
        const completion = await client.chat.completions.create({
          ...hello(),
          messages: [{ role: 'user', content: 'Reply in JSON' }],
          response_format: { type: 'json_object' },
        });
        expect(JSON.parse(completion.choices[0].message.content!)).toEqual({ ok: true });
        expect((fake.requests[0].body as { response_format: unknown }).response_format).toEqual({
          type: 'json_object',
        });
      });
    }

    if (item.capabilities.jsonSchema) {
      it('passes response_format json_schema upstream', async () => {
        fake.setReply({ content: '{"city":"Paris"}' });
        const schema = {
          type: 'object',
          properties: { city: { type: 'string' } },
          required: ['city'],
        };
        const completion = await client.chat.completions.create({
          ...hello(),
          response_format: {
            type: 'json_schema',
            json_schema: { name: 'place', schema, strict: true },
          },
        });
        expect(JSON.parse(completion.choices[0].message.content!)).toEqual({ city: 'Paris' });
        expect(fake.requests[0].body).toMatchObject({
          response_format: { type: 'json_schema', json_schema: { name: 'place', schema } },
        });
      });
    }

    const refusals: [string, object, string, string][] = [];
    if (!item.capabilities.vision) {
      refusals.push([
        'an image',
        {
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: 'What is this?' },
                { type: 'image_url', image_url: { url: PNG_DATA_URL } },
              ],
            },
          ],
        },
        'unsupported_capability',
        'messages[0].content',
      ]);
    }
    if (!item.capabilities.tools) {
      refusals.push(['tools', { tools: [weatherTool] }, 'unsupported_capability', 'tools']);
    }
    if (!item.capabilities.jsonObject) {
      refusals.push([
        'response_format json_object',
        { response_format: { type: 'json_object' } },
        'unsupported_response_format',
        'response_format',
      ]);
    }
    if (!item.capabilities.jsonSchema) {
      refusals.push([
        'response_format json_schema',
        {
          response_format: {
            type: 'json_schema',
            json_schema: { name: 'x', schema: { type: 'object' } },
          },
        },
        'unsupported_response_format',
        'response_format',
      ]);
    }
    if (refusals.length > 0) {
      it.each(refusals)(
        'refuses %s with 400 before calling the upstream',
        async (_what, extra, code, param) => {
          const res = await postJson(chatUrl(), { ...hello(), ...extra });
          expect(res.status).toBe(400);
          expect(res.body.error).toMatchObject({ code, param });
          expect(res.body.error.message).toContain(item.id);
          expect(fake.requests).toHaveLength(0);
        },
      );
    }

    it('maps an upstream 400 to provider_rejected_request without echoing its text', async () => {
      fake.failNext(400);
      const res = await postJson(chatUrl(), hello());
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('provider_rejected_request');
      expect(res.body.error.message).toMatch(/rejected the request.*logged/);
      expect(fake.requests).toHaveLength(1);
    });

    it.each([401, 403])(
      'maps an upstream %d to 502 provider_error naming the credential',
      async (status) => {
        fake.failNext(status);
        const res = await postJson(chatUrl(), hello());
        expect(res.status).toBe(502);
        expect(res.body.error.code).toBe('provider_error');
        expect(res.body.error.message).toMatch(/credential/i);
        if (item.credential) expect(JSON.stringify(res.body)).not.toContain(fake.apiKey);
      },
    );

    it.each([
      [{ 'retry-after': '7' }, '7'],
      [{ 'retry-after-ms': '2500' }, '3'],
    ])(
      'maps an upstream 429 (%j) to provider_rate_limited with Retry-After',
      async (headers, expected) => {
        fake.failNext(429, { headers, body: { error: { message: 'Rate limit reached' } } });
        const error = await client.chat.completions.create(hello()).catch((err: unknown) => err);
        expect(error).toBeInstanceOf(APIError);
        expect((error as APIError).status).toBe(429);
        expect((error as APIError).code).toBe('provider_rate_limited');
        expect((error as APIError).headers?.get('retry-after')).toBe(expected);
      },
    );

    it("maps the vendor's own 429 answer to provider_rate_limited", async () => {
      fake.failNext(429);
      const res = await postJson(chatUrl(), hello());
      expect(res.status).toBe(429);
      expect(res.body.error).toMatchObject({
        code: 'provider_rate_limited',
        type: 'provider_rate_limited',
      });
    });

    it.each([500, 502, 503])('maps an upstream %d to 502 provider_error', async (status) => {
      fake.failNext(status);
      const res = await postJson(chatUrl(), hello());
      expect(res.status).toBe(502);
      expect(res.body.error).toMatchObject({ code: 'provider_error', type: 'provider_error' });
    });

    it('cuts a hung upstream at the timeout with 502 provider_error', async () => {
      fake.hangNext();
      const res = await postJson(chatUrl(), hello());
      expect(res.status).toBe(502);
      expect(res.body.error.code).toBe('provider_error');
      expect(res.body.error.message).toMatch(/time/i);
      await fake.waitForClientDisconnects(1);
    });

    it('answers 502 provider_error when the upstream returns no choices', async () => {
      fake.failNext(200, {
        body: {
          id: 'x',
          object: 'chat.completion',
          created: 1,
          model: item.upstreamModel,
          choices: [],
        },
      });
      const res = await postJson(chatUrl(), hello());
      expect(res.status).toBe(502);
      expect(res.body.error.code).toBe('provider_error');
      expect(res.body.error.message).toMatch(/no choices/);
    });

    it('answers an upstream error before the first streamed byte as an HTTP error', async () => {
      fake.failNext(503);
      const res = await streamRequest();
      expect(res.status).toBe(502);
      expect((await readJson(res)).error.code).toBe('provider_error');
    });

    it('ends a stream that fails mid-way with one error frame and no [DONE]', async () => {
      fake.streamErrorNext(2);
      const res = await streamRequest();
      expect(res.status).toBe(200);
      const { data } = await readSse(res);
      const last = JSON.parse(data[data.length - 1]);
      expect(last.error.code).toBe('provider_error');
      expect(data).not.toContain('[DONE]');
      expect(data.slice(0, -1).every((d) => JSON.parse(d).object === 'chat.completion.chunk')).toBe(
        true,
      );
    });

    it('treats a stream that ends without a finish reason as an error', async () => {
      fake.omitFinishReasonNext({ sendDone: true });
      const { data } = await readSse(await streamRequest());
      expect(JSON.parse(data[data.length - 1]).error.code).toBe('provider_error');
    });

    if (item.embeddings) {
      const embeddings = item.embeddings;
      it('returns embeddings through the SDK from the vendor embeddings endpoint', async () => {
        const result = await client.embeddings.create({
          model: embeddings.model,
          input: ['alpha', 'beta'],
        });
        expect(result.data).toHaveLength(2);
        expect(result.data[0].embedding.length).toBeGreaterThan(0);
        expectOpenAiShape('CreateEmbeddingResponse', result);
        const received = fake.requests[0];
        expect(received.path.split('?')[0]).toBe(embeddings.path);
        if (!item.modelInPath)
          expect((received.body as { model: string }).model).toBe(embeddings.upstreamModel);
      });
    } else {
      it('refuses embeddings with 400 before calling the upstream', async () => {
        const res = await postJson(`${gw.url}/v1/embeddings`, { model: item.model, input: 'x' });
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('unsupported_capability');
        expect(fake.requests).toHaveLength(0);
      });
    }

    quirks?.(() => ({ gw, fake, client, chatUrl: chatUrl() }));
  });

  describe(`${item.id} provider with an unreachable upstream`, () => {
    it('answers 502 provider_error saying it is unreachable', async () => {
      const fake = new FakeOpenAiCompatibleServer(item.dialect);
      await fake.start();
      const env = item.env(fake);
      const yaml = compatibleGatewayYaml(item, fake);
      const origin = new URL(fake.baseUrl).origin;
      await fake.close();
      const port = await closedPort();
      const reroute = (text: string) => text.split(origin).join(`http://127.0.0.1:${port}`);
      const gw = await startGateway({
        env: Object.fromEntries(Object.entries(env).map(([k, v]) => [k, reroute(v)])),
        yaml: reroute(yaml),
      });
      try {
        const res = await postJson(`${gw.url}/v1/chat/completions`, hello());
        expect(res.status).toBe(502);
        expect(res.body.error.code).toBe('provider_error');
        expect(res.body.error.message).toMatch(/unreachable/);
      } finally {
        await gw.close();
      }
    });
    const hello = () => ({
      model: item.model,
      messages: [{ role: 'user' as const, content: 'Hello' }],
    });
  });
}
