import OpenAI from 'openai';
import {
  DOCKER_MODEL_RUNNER_STYLE,
  LONG_TAIL_DIALECT,
  longTailDialect,
  PERPLEXITY_STYLE,
  VLLM_STYLE,
} from '../../fakes/dialects/long-tail.dialect.js';
import { OPENAI_DIALECT } from '../../fakes/dialects/openai.dialect.js';
import {
  DEFAULT_REPLY_TEXT,
  FakeOpenAiCompatibleServer,
} from '../../fakes/fake-openai-compatible.server.js';
import {
  type GatewayUnderTest,
  issueKey,
  postJson,
  readJson,
  readSse,
  startGateway,
  postRaw,
} from '../../helpers/gateway-harness.js';
import { describeOpenAiCompatibleProvider } from '../support/openai-compatible.suite.js';

/** A custom provider runs the same suite as the built-in OpenAI-compatible vendors. */
describeOpenAiCompatibleProvider({
  id: 'fireworks',
  configPath: 'custom.fireworks',
  dialect: LONG_TAIL_DIALECT,
  env: () => ({}),
  providerYaml: (fake) => [
    'prefix: fireworks/',
    `base-url: ${fake.baseUrl}`,
    `api-key: ${fake.apiKey}`,
    'models: [llama-3.1-8b-instruct]',
    'capabilities: { embeddings: true }',
  ],
  model: 'fireworks/llama-3.1-8b-instruct',
  upstreamModel: 'llama-3.1-8b-instruct',
  chatPath: '/v1/chat/completions',
  credential: (fake) => ['authorization', `Bearer ${fake.apiKey}`],
  capabilities: {
    vision: false,
    tools: true,
    jsonObject: true,
    jsonSchema: false,
    maxContextTokens: 128_000,
  },
  embeddings: {
    model: 'fireworks/bge-small-en',
    upstreamModel: 'bge-small-en',
    path: '/v1/embeddings',
  },
});

/** Several OpenAI-compatible hosts side by side with OpenAI, each with its own key and rules. */
describe('custom providers side by side with OpenAI', () => {
  const openai = new FakeOpenAiCompatibleServer(OPENAI_DIALECT);
  const corp = new FakeOpenAiCompatibleServer(
    longTailDialect({ name: 'corp', authHeader: 'x-api-key' }),
    { apiKey: 'corp-secret-token' },
  );
  const perplexity = new FakeOpenAiCompatibleServer(longTailDialect(PERPLEXITY_STYLE), {
    apiKey: 'pplx-secret',
  });
  const dmr = new FakeOpenAiCompatibleServer(longTailDialect(DOCKER_MODEL_RUNNER_STYLE));
  const vllm = new FakeOpenAiCompatibleServer(longTailDialect(VLLM_STYLE), { apiKey: 'vllm-key' });
  const fakes = [openai, corp, perplexity, dmr, vllm];
  let gw: GatewayUnderTest;
  let client: OpenAI;

  beforeAll(async () => {
    await Promise.all(fakes.map((f) => f.start()));
    gw = await startGateway({
      env: { OPENAI_API_KEY: openai.apiKey, OPENAI_BASE_URL: openai.baseUrl },
      yaml: [
        'gateway:',
        '  providers:',
        '    custom:',
        '      corp:',
        '        prefix: corp/',
        `        base-url: ${corp.baseUrl}`,
        '        api-key: corp-secret-token',
        '        auth-header: X-Api-Key',
        "        auth-scheme: ''",
        "        headers: { X-Cost-Center: '4711' }",
        '        models: [llama-3.1-8b-instruct]',
        '      perplexity:',
        '        prefix: sonar',
        '        strip-prefix: false',
        `        base-url: ${perplexity.baseUrl}`,
        '        api-key: pplx-secret',
        '      dmr:',
        '        prefix: dmr/',
        `        base-url: ${dmr.baseUrl}`,
        '      vllm:',
        '        prefix: [vllm/, local/]',
        `        base-url: ${vllm.baseUrl}`,
        '        api-key: vllm-key',
        '        resilience: { retry: { max-attempts: 1 } }',
      ].join('\n'),
    });
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: await issueKey(gw), maxRetries: 0 });
  });
  afterEach(() => fakes.forEach((f) => f.reset()));
  afterAll(async () => {
    await gw.close();
    await Promise.all(fakes.map((f) => f.close()));
  });

  const ask = (model: string) =>
    client.chat.completions
      .create({ model, messages: [{ role: 'user', content: 'Hi' }] })
      .withResponse();

  it('sends each model to its own host with its own credential, OpenAI included', async () => {
    const cases: [string, FakeOpenAiCompatibleServer, string, string][] = [
      ['gpt-4o', openai, 'openai', 'gpt-4o'],
      ['corp/llama-3.1-8b-instruct', corp, 'corp', 'llama-3.1-8b-instruct'],
      ['sonar-pro', perplexity, 'perplexity', 'sonar-pro'],
      ['dmr/ai/smollm2', dmr, 'dmr', 'ai/smollm2'],
      ['local/llama-3.1-8b-instruct', vllm, 'vllm', 'llama-3.1-8b-instruct'],
    ];
    for (const [model, fake, providerId, upstreamModel] of cases) {
      const { data, response } = await ask(model);
      expect(data.choices[0].message.content).toBe(DEFAULT_REPLY_TEXT);
      expect(response.headers.get('x-gateway-provider')).toBe(providerId);
      expect(fake.requests).toHaveLength(1);
      expect((fake.requests[0].body as { model: string }).model).toBe(upstreamModel);
    }
    // Each key went to its own host only.
    expect(corp.requests[0].headers['x-api-key']).toBe('corp-secret-token');
    expect(corp.requests[0].headers.authorization).toBeUndefined();
    expect(corp.requests[0].headers['x-cost-center']).toBe('4711');
    expect(perplexity.requests[0].path).toBe('/chat/completions');
    expect(perplexity.requests[0].headers.authorization).toBe('Bearer pplx-secret');
    expect(dmr.requests[0].path).toBe('/engines/v1/chat/completions');
    expect(dmr.requests[0].headers.authorization).toBeUndefined();
    for (const fake of [corp, perplexity, dmr, vllm]) {
      expect(JSON.stringify(fake.requests[0].headers)).not.toContain(openai.apiKey);
    }
  });

  it("normalises Perplexity's cumulative usage and chat.completion.done chunk", async () => {
    const res = await postRaw(`${gw.url}/v1/chat/completions`, {
      model: 'sonar',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const { data } = await readSse(res);
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    // One usage chunk, last, with the final (largest) cumulative count.
    const withUsage = chunks.filter((c) => c.usage);
    expect(withUsage).toHaveLength(1);
    expect(chunks[chunks.length - 1].choices).toEqual([]);
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toBe(DEFAULT_REPLY_TEXT);
  });

  it("maps vLLM's flat error envelope like any other 400", async () => {
    vllm.failNext(400);
    const res = await postJson(`${gw.url}/v1/chat/completions`, {
      model: 'vllm/llama-3.1-8b-instruct',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('provider_rejected_request');
  });

  it('lists every host’s models under its prefix', async () => {
    const models = await readJson(await fetch(`${gw.url}/v1/models`));
    const corpModel = models.data.find(
      (m: { id: string }) => m.id === 'corp/llama-3.1-8b-instruct',
    );
    expect(corpModel).toMatchObject({ owned_by: 'corp' });
    expect(corpModel.capabilities).toMatchObject({
      supports_tool_calls: true,
      supports_vision: false,
    });
    expect(models.data.some((m: { owned_by: string }) => m.owned_by === 'openai')).toBe(true);
  });
});

/** DVARA's seed recipe: re-point the OpenAI provider with overrides.yml, call the host's model names. */
describe('the OpenAI provider re-pointed as the seed describes', () => {
  const host = new FakeOpenAiCompatibleServer(LONG_TAIL_DIALECT, { apiKey: 'fw_fireworks-key' });
  let gw: GatewayUnderTest;

  beforeAll(async () => {
    await host.start();
    gw = await startGateway({
      env: { OPENAI_API_KEY: 'fw_fireworks-key' },
      yaml: [
        'dvara:',
        '  llm-gateway:',
        '    providers:',
        '      openai:',
        `        base-url: ${host.baseUrl}`,
      ].join('\n'),
    });
  });
  afterAll(async () => {
    await gw.close();
    await host.close();
  });

  it.each(['accounts/fireworks/models/llama-v3-70b', 'ai/llama3.2', 'gpt-4o'])(
    'sends %s to the re-pointed host unchanged',
    async (model) => {
      const res = await postJson(`${gw.url}/v1/chat/completions`, {
        model,
        messages: [{ role: 'user', content: 'Hello from an additional provider!' }],
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-gateway-provider')).toBe('openai');
      const received = host.requests[host.requests.length - 1];
      expect((received.body as { model: string }).model).toBe(model);
      expect(received.headers.authorization).toBe('Bearer fw_fireworks-key');
    },
  );

  it('still refuses a model whose provider prefix is not activated', async () => {
    const res = await postJson(`${gw.url}/v1/chat/completions`, {
      model: 'claude-sonnet-4-5',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('no_provider');
  });
});
