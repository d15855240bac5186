import Anthropic, { APIError } from '@anthropic-ai/sdk';
import { FAKE_ANTHROPIC_API_KEY, FakeAnthropicServer } from '../../fakes/fake-anthropic.server.js';
import { FAKE_OPENAI_API_KEY, FakeOpenAiServer } from '../../fakes/fake-openai.server.js';
import { type GatewayUnderTest, issueKey, startGateway } from '../../helpers/gateway-harness.js';
import { ApiKeyService } from '../../../src/governance/auth/api-key.service.js';
import { TenantRepository } from '../../../src/storage/tenant.repository.js';

const MODEL = 'claude-sonnet-5-5';

const noRefusal = (): never => {
  throw new Error('expected a refusal');
};

/** A Claude Code-like body: what must reach Anthropic unchanged. */
const CLAUDE_CODE_BODY = {
  model: MODEL,
  max_tokens: 32000,
  system: [
    {
      type: 'text',
      text: "You are Claude Code, Anthropic's official CLI for Claude.",
      cache_control: { type: 'ephemeral' },
    },
    { type: 'text', text: 'Help with software tasks.', cache_control: { type: 'ephemeral' } },
  ],
  messages: [
    {
      role: 'user',
      content: [{ type: 'text', text: 'list the files', cache_control: { type: 'ephemeral' } }],
    },
  ],
  tools: [
    {
      name: 'Bash',
      description: 'Run a command',
      input_schema: { type: 'object', properties: { command: { type: 'string' } } },
      cache_control: { type: 'ephemeral' },
    },
  ],
  thinking: { type: 'enabled', budget_tokens: 4000 },
  context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
  metadata: { user_id: 'user_abc' },
};

/**
 * The Messages ingress to Anthropic models: the body forwarded as written (passthrough), the
 * answer relayed as sent, with governance as for any call; translated when governance changed
 * the request or a target of the route is not Anthropic.
 */
describe('Messages ingress passthrough to Anthropic', () => {
  const anthropic = new FakeAnthropicServer();
  const openai = new FakeOpenAiServer();
  let gw: GatewayUnderTest;
  let key = '';
  let redactorKey = '';
  const received = () => anthropic.requests.at(-1)!;
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${gw.url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${key}`,
        'anthropic-version': '2023-06-01',
        'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14',
        ...headers,
      },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    await anthropic.start();
    await openai.start();
    gw = await startGateway({
      singleAttempt: true,
      env: {
        ANTHROPIC_API_KEY: FAKE_ANTHROPIC_API_KEY,
        ANTHROPIC_BASE_URL: anthropic.baseUrl,
        OPENAI_API_KEY: FAKE_OPENAI_API_KEY,
        OPENAI_BASE_URL: openai.baseUrl,
      },
      yaml: `
gateway:
  pii:
    # Passthrough only where no PII stage must read the answer (see the last tests).
    scan-responses: false
  routes:
    - model: claude-haiku-*
      providers:
        - provider: anthropic
      fallbacks:
        - provider: openai
          model: gpt-4o
`,
    });
    key = await issueKey(gw);
    await gw.app.get(TenantRepository).create({
      id: 'redactor',
      name: 'redactor',
      settings: { piiAction: 'REDACT' },
    });
    redactorKey = (await gw.app.get(ApiKeyService).create('redactor', { name: 'e2e' })).plaintext;
  });
  afterEach(() => {
    anthropic.reset();
    openai.reset();
  });
  afterAll(async () => {
    await gw.close();
    await anthropic.close();
    await openai.close();
  });

  it('forwards a Claude Code body unchanged, with the beta header, and relays the answer as sent', async () => {
    anthropic.setReply({ text: 'Here they are.', thinking: 'Let me think.' });
    const response = await post('/v1/messages', CLAUDE_CODE_BODY);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-gateway-provider')).toBe('anthropic');
    const answer: any = await response.json();
    expect(answer.id).toMatch(/^msg_fake/);
    expect(answer.content.map((b: any) => b.type)).toEqual(['thinking', 'text']);
    expect(answer.content[1].text).toBe('Here they are.');
    const upstream = received();
    expect(upstream.body).toEqual({ ...CLAUDE_CODE_BODY, stream: false });
    expect(upstream.headers['anthropic-beta']).toBe(
      'claude-code-20250219,interleaved-thinking-2025-05-14',
    );
    expect(upstream.headers['anthropic-version']).toBe('2023-06-01');
    expect(upstream.headers['x-api-key']).toBe(FAKE_ANTHROPIC_API_KEY);
    expect(upstream.headers.authorization).toBeUndefined();
  });

  it('relays the stream event by event, and the SDK assembles it', async () => {
    anthropic.setReply({ toolUses: [{ id: 'toolu_1', name: 'Bash', input: { command: 'ls' } }] });
    const client = new Anthropic({ baseURL: gw.url, authToken: key, apiKey: null, maxRetries: 0 });
    const stream = client.messages.stream({
      model: MODEL,
      max_tokens: 1024,
      tools: [CLAUDE_CODE_BODY.tools[0] as Anthropic.Tool],
      messages: [{ role: 'user', content: 'list the files' }],
    });
    const types: string[] = [];
    stream.on('streamEvent', (event) => types.push(event.type));
    const final = await stream.finalMessage();
    expect(final.id).toMatch(/^msg_fake/);
    expect(final.stop_reason).toBe('tool_use');
    expect(final.content.at(-1)).toEqual({
      type: 'tool_use',
      id: 'toolu_1',
      name: 'Bash',
      input: { command: 'ls' },
    });
    expect(types[0]).toBe('message_start');
    expect(types.at(-1)).toBe('message_stop');
    expect(final.usage.output_tokens).toBeGreaterThan(0);
    expect(received().body).toMatchObject({ stream: true, model: MODEL });
  });

  it('relays every event with its event: line, ping included', async () => {
    const response = await post('/v1/messages', { ...CLAUDE_CODE_BODY, stream: true });
    expect(response.status).toBe(200);
    const raw = await response.text();
    const names = raw
      .split('\n\n')
      .filter((frame) => frame !== '')
      .map((frame) => frame.split('\n')[0]);
    expect(names).toContain('event: ping');
    expect(names.at(-1)).toBe('event: message_stop');
    expect(raw).not.toContain('[DONE]');
    expect(received().body).toEqual({ ...CLAUDE_CODE_BODY, stream: true });
  });

  it('counts tokens with the upstream', async () => {
    const body = { model: MODEL, messages: CLAUDE_CODE_BODY.messages };
    const response = await post('/v1/messages/count_tokens', body);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      input_tokens: Math.ceil(JSON.stringify(body).length / 4),
    });
    expect(received().path).toBe('/v1/messages/count_tokens');
    expect(received().headers['anthropic-beta']).toBe(
      'claude-code-20250219,interleaved-thinking-2025-05-14',
    );
  });

  it('translates instead when PII redaction changed the request', async () => {
    anthropic.setReply({ text: 'Noted.' });
    const response = await post(
      '/v1/messages',
      {
        ...CLAUDE_CODE_BODY,
        thinking: undefined,
        messages: [{ role: 'user', content: 'Mail jane.doe@example.com' }],
      },
      { authorization: `Bearer ${redactorKey}` },
    );
    expect(response.status).toBe(200);
    const answer: any = await response.json();
    expect(answer.content).toEqual([{ type: 'text', text: 'Noted.' }]);
    const upstream = JSON.stringify(received().body);
    expect(upstream).toContain('[REDACTED_EMAIL]');
    expect(upstream).not.toContain('jane.doe@example.com');
    expect(upstream).not.toContain('cache_control');
  });

  it('translates when a target of the route is not Anthropic', async () => {
    anthropic.setReply({ text: 'From Anthropic, translated.' });
    const response = await post('/v1/messages', {
      model: 'claude-haiku-5',
      max_tokens: 64,
      system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as any).content).toEqual([
      { type: 'text', text: 'From Anthropic, translated.' },
    ]);
    expect(received().body).toMatchObject({ system: 'Be brief.' });
  });

  it("relays Anthropic's own error type and message, never for the gateway's credential", async () => {
    const client = new Anthropic({ baseURL: gw.url, apiKey: key, maxRetries: 0 });
    const ask = () =>
      client.messages
        .create({
          model: MODEL,
          max_tokens: 8,
          messages: [
            { role: 'user', content: 'Hi' },
            { role: 'user', content: 'again' },
          ],
        })
        .then(noRefusal, (err: unknown) => err as APIError);
    const rejected = await ask();
    expect(rejected).toBeInstanceOf(Anthropic.BadRequestError);
    expect(rejected.error).toEqual({
      type: 'error',
      error: {
        type: 'invalid_request_error',
        message: expect.stringContaining('roles must alternate'),
      },
      request_id: rejected.headers?.get('x-trace-id'),
    });

    anthropic.failNext(529);
    const overloaded = await client.messages
      .create({ model: MODEL, max_tokens: 8, messages: [{ role: 'user', content: 'Hi' }] })
      .then(noRefusal, (err: unknown) => err as APIError);
    expect(overloaded.status).toBeGreaterThanOrEqual(500);
    expect(overloaded.error).toMatchObject({ error: { type: 'overloaded_error' } });

    anthropic.failNext(401);
    const credential = await client.messages
      .create({ model: MODEL, max_tokens: 8, messages: [{ role: 'user', content: 'Hi' }] })
      .then(noRefusal, (err: unknown) => err as APIError);
    expect(credential.status).toBe(502);
    expect(credential.error).toMatchObject({ error: { type: 'api_error' } });
    expect(JSON.stringify(credential.error)).not.toContain('x-api-key');
  });

  it('reports an error event mid-stream as Anthropic stated it', async () => {
    anthropic.plan({ kind: 'stream-error', afterEvents: 3 });
    const response = await post('/v1/messages', { ...CLAUDE_CODE_BODY, stream: true });
    expect(response.status).toBe(200);
    const frames = (await response.text()).split('\n\n').filter((frame) => frame !== '');
    const last = frames.at(-1)!.split('\n');
    expect(last[0]).toBe('event: error');
    expect(JSON.parse(last[1].slice(6))).toMatchObject({
      type: 'error',
      error: { type: 'overloaded_error' },
    });
  });
});
