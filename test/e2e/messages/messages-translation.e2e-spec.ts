import Anthropic, { APIError } from '@anthropic-ai/sdk';
import { FAKE_OPENAI_API_KEY, FakeOpenAiServer } from '../../fakes/fake-openai.server.js';
import { type GatewayUnderTest, issueKey, startGateway } from '../../helpers/gateway-harness.js';
import { ApiKeyService } from '../../../src/governance/auth/api-key.service.js';
import { TenantRepository } from '../../../src/storage/tenant.repository.js';

const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'Get the weather of a city',
  input_schema: {
    type: 'object' as const,
    properties: { city: { type: 'string' } },
    required: ['city'],
  },
};

/** A 1x1 PNG. */
const PIXEL =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

/**
 * The Messages ingress translated to an OpenAI upstream (the fake on loopback), with the official
 * Anthropic SDK as the client: Claude model names routed to OpenAI, tools round trip, governance.
 */
describe('Messages ingress translated to another provider', () => {
  const fake = new FakeOpenAiServer();
  let gw: GatewayUnderTest;
  let client: Anthropic;
  const keys: Record<string, string> = {};
  const upstream = () => fake.requests.at(-1)!.body as any;
  const sdk = (key: string) => new Anthropic({ baseURL: gw.url, apiKey: key, maxRetries: 0 });

  beforeAll(async () => {
    const { baseUrl } = await fake.start();
    gw = await startGateway({
      singleAttempt: true,
      env: { OPENAI_API_KEY: FAKE_OPENAI_API_KEY, OPENAI_BASE_URL: baseUrl },
      yaml: `
gateway:
  routes:
    - model: claude-*
      providers:
        - provider: openai
          model: gpt-4o
  policies:
    - id: global
      dsl: |
        version: "1"
        rules:
          - id: no-shell
            conditions:
              tools: { denylist: [shell_exec] }
            deny_message: "The shell_exec tool is not allowed."
`,
    });
    keys.plain = await issueKey(gw);
    const tenants = gw.app.get(TenantRepository);
    const issuer = gw.app.get(ApiKeyService);
    for (const [id, action] of [
      ['redactor', 'REDACT'],
      ['blocker', 'BLOCK'],
    ] as const) {
      await tenants.create({ id, name: id, settings: { piiAction: action } });
      keys[id] = (await issuer.create(id, { name: 'e2e' })).plaintext;
    }
    client = sdk(keys.plain);
  });
  afterEach(() => fake.reset());
  afterAll(async () => {
    await gw.close();
    await fake.close();
  });

  it('translates system, text, images, stop sequences and sampling, and the answer back', async () => {
    fake.setReply({ content: 'A red pixel.', usage: { prompt_tokens: 40, completion_tokens: 4 } });
    const message = await client.messages.create({
      model: 'claude-sonnet-5-5',
      max_tokens: 100,
      system: [{ type: 'text', text: 'You describe images.' }],
      temperature: 0.2,
      top_p: 0.9,
      stop_sequences: ['END'],
      metadata: { user_id: 'user-7' },
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PIXEL } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } },
          ],
        },
      ],
    });
    expect(message.content).toEqual([{ type: 'text', text: 'A red pixel.' }]);
    expect(message.model).toBe('claude-sonnet-5-5');
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage).toMatchObject({ input_tokens: 40, output_tokens: 4 });
    const sent = upstream();
    expect(sent.model).toBe('gpt-4o');
    expect(sent.max_tokens).toBe(100);
    expect(sent.temperature).toBe(0.2);
    expect(sent.top_p).toBe(0.9);
    expect(sent.stop).toEqual(['END']);
    expect(sent.user).toBe('user-7');
    expect(sent.messages).toEqual([
      { role: 'system', content: 'You describe images.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${PIXEL}` } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
        ],
      },
    ]);
  });

  it('maps a length stop to max_tokens', async () => {
    fake.setReply({ content: 'Once upon', finishReason: 'length' });
    const message = await client.messages.create({
      model: 'claude-sonnet-5-5',
      max_tokens: 2,
      messages: [{ role: 'user', content: 'Tell a story' }],
    });
    expect(message.stop_reason).toBe('max_tokens');
  });

  it('round-trips a tool call: definitions out, input_json_delta in, the tool result back', async () => {
    fake.setReply({
      toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }],
    });
    const stream = client.messages.stream({
      model: 'claude-sonnet-5-5',
      max_tokens: 200,
      tools: [WEATHER_TOOL],
      tool_choice: { type: 'auto', disable_parallel_tool_use: true },
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
    });
    const fragments: string[] = [];
    stream.on('inputJson', (partial) => fragments.push(partial));
    const first = await stream.finalMessage();
    expect(first.stop_reason).toBe('tool_use');
    expect(first.content).toEqual([
      { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
    ]);
    expect(fragments.join('')).toBe('{"city":"Paris"}');
    expect(upstream().tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Get the weather of a city',
          parameters: WEATHER_TOOL.input_schema,
        },
      },
    ]);
    expect(upstream().tool_choice).toBe('auto');
    expect(upstream().parallel_tool_calls).toBe(false);

    fake.setReply({ content: 'It is 18C and sunny in Paris.' });
    const second = await client.messages.create({
      model: 'claude-sonnet-5-5',
      max_tokens: 200,
      tools: [WEATHER_TOOL],
      tool_choice: { type: 'tool', name: 'get_weather' },
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: first.content },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'call_1', content: '18C sunny' },
            { type: 'text', text: 'Summarise.' },
          ],
        },
      ],
    });
    expect(second.content).toEqual([{ type: 'text', text: 'It is 18C and sunny in Paris.' }]);
    expect(upstream().tool_choice).toEqual({ type: 'function', function: { name: 'get_weather' } });
    expect(upstream().messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'call_1',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '18C sunny' },
      { role: 'user', content: 'Summarise.' },
    ]);
  });

  it('answers a replayed Claude Code first turn (system blocks with cache_control, tools, anthropic-beta)', async () => {
    fake.setReply({ content: 'I can help with that.' });
    const body = {
      model: 'claude-sonnet-5-5',
      max_tokens: 32000,
      stream: true,
      temperature: 1,
      metadata: { user_id: 'user_abc_account__session_123' },
      system: [
        {
          type: 'text',
          text: "You are Claude Code, Anthropic's official CLI for Claude.",
          cache_control: { type: 'ephemeral' },
        },
        {
          type: 'text',
          text: 'You are an interactive CLI tool that helps users with software engineering tasks.',
          cache_control: { type: 'ephemeral' },
        },
      ],
      messages: [
        {
          role: 'user',
          content: [
            {
              type: 'text',
              text: '<system-reminder>\nAs you answer, use the tools.\n</system-reminder>',
            },
            { type: 'text', text: 'list the files here', cache_control: { type: 'ephemeral' } },
          ],
        },
      ],
      tools: [
        {
          name: 'Bash',
          description: 'Executes a given bash command',
          input_schema: {
            type: 'object',
            properties: { command: { type: 'string', description: 'The command to execute' } },
            required: ['command'],
            additionalProperties: false,
            $schema: 'http://json-schema.org/draft-07/schema#',
          },
        },
        {
          name: 'Read',
          description: 'Reads a file',
          input_schema: {
            type: 'object',
            properties: { file_path: { type: 'string' } },
            required: ['file_path'],
          },
          cache_control: { type: 'ephemeral' },
        },
      ],
      context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
    };
    const response = await fetch(`${gw.url}/v1/messages?beta=true`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${keys.plain}`,
        'anthropic-version': '2023-06-01',
        'anthropic-beta':
          'claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27',
        'x-app': 'cli',
        'user-agent': 'claude-cli/2.0.0 (external, cli)',
      },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
    const raw = await response.text();
    const text = raw
      .split('\n\n')
      .filter((frame) => frame.startsWith('event: content_block_delta'))
      .map((frame) => JSON.parse(frame.split('\n')[1].slice(6)).delta.text)
      .join('');
    expect(text).toBe('I can help with that.');
    expect(raw).toContain('event: message_stop');
    const sent = upstream();
    expect(sent.messages[0]).toEqual({
      role: 'system',
      content:
        "You are Claude Code, Anthropic's official CLI for Claude.\n\nYou are an interactive CLI tool that helps users with software engineering tasks.",
    });
    expect(sent.tools.map((t: any) => t.function.name)).toEqual(['Bash', 'Read']);
    expect(JSON.stringify(sent)).not.toContain('cache_control');
    expect(fake.requests.at(-1)!.headers['anthropic-beta']).toBeUndefined();
  });

  it('refuses a call a policy denies, as a permission_error', async () => {
    const error = await client.messages
      .create({
        model: 'claude-sonnet-5-5',
        max_tokens: 16,
        tools: [{ ...WEATHER_TOOL, name: 'shell_exec' }],
        messages: [{ role: 'user', content: 'ls' }],
      })
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect((error as APIError).status).toBe(403);
    expect((error as APIError).error).toMatchObject({
      type: 'error',
      error: { type: 'permission_error', message: 'The shell_exec tool is not allowed.' },
    });
    expect(fake.requests).toHaveLength(0);
  });

  it('redacts PII before the upstream sees it, and blocks it where the tenant says so', async () => {
    fake.setReply({ content: 'Noted.' });
    await sdk(keys.redactor).messages.create({
      model: 'claude-sonnet-5-5',
      max_tokens: 16,
      system: 'Reply to jane.doe@example.com',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Mail jane.doe@example.com' }] }],
    });
    const sent = JSON.stringify(upstream());
    expect(sent).not.toContain('jane.doe@example.com');
    expect(sent).toContain('[REDACTED_EMAIL]');

    const error = await sdk(keys.blocker)
      .messages.create({
        model: 'claude-sonnet-5-5',
        max_tokens: 16,
        messages: [{ role: 'user', content: 'Mail jane.doe@example.com' }],
      })
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as APIError).error).toMatchObject({
      error: { type: 'invalid_request_error', message: expect.stringContaining('EMAIL') },
    });
  });

  it('refuses what translation cannot carry before any byte', async () => {
    const error = await client.messages
      .create({
        model: 'claude-sonnet-5-5',
        max_tokens: 16,
        stream: true,
        messages: [
          {
            role: 'user',
            content: [
              {
                type: 'document',
                source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' },
              },
            ],
          },
        ],
      })
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as APIError).error).toMatchObject({
      error: { type: 'invalid_request_error', message: expect.stringContaining('document') },
    });
    expect(fake.requests).toHaveLength(0);
  });

  it('reports an upstream failure after the first byte as one error event', async () => {
    fake.plan({ kind: 'stream-error', afterChunks: 2 });
    const stream = client.messages.stream({
      model: 'claude-sonnet-5-5',
      max_tokens: 16,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    const error = await stream.finalMessage().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).error).toMatchObject({
      type: 'error',
      error: { type: 'api_error' },
    });
  });
});
