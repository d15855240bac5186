import OpenAI from 'openai';
import { QWEN_DIALECT } from '../../fakes/dialects/qwen.dialect.js';
import { FakeOpenAiCompatibleServer } from '../../fakes/fake-openai-compatible.server.js';
import { issueKey, startGateway } from '../../helpers/gateway-harness.js';
import {
  type CompatibleProviderCase,
  compatibleGatewayYaml,
  describeOpenAiCompatibleProvider,
} from '../support/openai-compatible.suite.js';

const QWEN: CompatibleProviderCase = {
  id: 'qwen',
  configPath: 'qwen',
  dialect: QWEN_DIALECT,
  env: (fake) => ({ QWEN_API_KEY: fake.apiKey, QWEN_BASE_URL: fake.baseUrl }),
  model: 'qwen-plus',
  upstreamModel: 'qwen-plus',
  chatPath: '/compatible-mode/v1/chat/completions',
  credential: (fake) => ['authorization', `Bearer ${fake.apiKey}`],
  capabilities: {
    vision: false,
    tools: false,
    jsonObject: false,
    jsonSchema: false,
    maxContextTokens: 32_000,
  },
  // `text-embedding-v3` carries OpenAI's prefix: a route sends it to Qwen.
  gatewayYaml: ['routes:', '  - { model: text-embedding-v3, providers: [{ provider: qwen }] }'],
  embeddings: {
    model: 'text-embedding-v3',
    upstreamModel: 'text-embedding-v3',
    path: '/compatible-mode/v1/embeddings',
  },
};

describeOpenAiCompatibleProvider(QWEN);

/** The matrix keeps Qwen's tools off; an operator who turns them on gets DashScope's stream right. */
describe('qwen provider with tools enabled by the operator', () => {
  const fake = new FakeOpenAiCompatibleServer(QWEN_DIALECT);
  let close: () => Promise<void>;
  let client: OpenAI;

  beforeAll(async () => {
    await fake.start();
    const yaml = compatibleGatewayYaml(
      { ...QWEN, providerYaml: () => ['capabilities: { tools: true }'] },
      fake,
    );
    const gw = await startGateway({ env: QWEN.env(fake), yaml });
    close = () => gw.close();
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: await issueKey(gw), maxRetries: 0 });
  });
  afterAll(async () => {
    await close();
    await fake.close();
  });

  it('assembles a tool call streamed with "id": "" continuation chunks', async () => {
    fake.setReply({
      toolCalls: [{ name: 'get_weather', arguments: '{"city":"Hangzhou","days":3}' }],
    });
    const stream = client.chat.completions.stream({
      model: 'qwen-plus',
      messages: [{ role: 'user', content: 'Weather?' }],
      tools: [
        { type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } },
      ],
    });
    const final = await stream.finalChatCompletion();
    const calls = final.choices[0].message
      .tool_calls as OpenAI.ChatCompletionMessageFunctionToolCall[];
    // One call, not one per continuation chunk.
    expect(calls).toHaveLength(1);
    expect(calls[0].id).not.toBe('');
    expect(JSON.parse(calls[0].function.arguments)).toEqual({ city: 'Hangzhou', days: 3 });
  });
});
