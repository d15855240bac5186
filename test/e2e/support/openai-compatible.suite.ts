import OpenAI from 'openai';
import {
  DEFAULT_REPLY_TEXT,
  FakeOpenAiCompatibleServer,
} from '../../fakes/fake-openai-compatible.server.js';
import {
  type GatewayUnderTest,
  issueKey,
  readJson,
  readSse,
  startGateway,
} from '../../helpers/gateway-harness.js';
import { expectOpenAiShape } from '../../helpers/openai-schemas.js';
import { capabilityTests } from './openai-compatible.capabilities.js';
import {
  type CompatibleProviderCase,
  type CompatibleProviderContext,
  compatibleGatewayYaml,
  helloFor,
  streamRequestFor,
} from './openai-compatible.case.js';
import { failureTests, unreachableTests } from './openai-compatible.failures.js';

export type {
  CompatibleProviderCase,
  CompatibleProviderContext,
} from './openai-compatible.case.js';
export { compatibleGatewayYaml } from './openai-compatible.case.js';

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
    const hello = () => helloFor(item);
    const context = (): CompatibleProviderContext => ({ gw, fake, client, chatUrl: chatUrl() });
    const streamRequest = () => streamRequestFor(context(), item);
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
      // The row is per model where a vendor's models differ (OpenAI's context windows).
      const card = mine.find((m: { id: string }) => m.id === item.model) ?? mine[0];
      expect(card.capabilities).toMatchObject({
        supports_streaming: true,
        supports_vision: item.capabilities.vision,
        supports_tool_calls: item.capabilities.tools,
        supports_json_mode: item.capabilities.jsonObject,
        supports_structured_outputs: item.capabilities.jsonSchema,
        max_context_tokens: item.capabilities.maxContextTokens,
      });
    });

    capabilityTests(item, context);
    failureTests(item, context);
    quirks?.(context);
  });

  unreachableTests(item);
}
