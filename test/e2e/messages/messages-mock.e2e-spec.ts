import Anthropic, { APIError } from '@anthropic-ai/sdk';
import {
  type GatewayUnderTest,
  issueKey,
  postJson,
  startGateway,
} from '../../helpers/gateway-harness.js';

/** The official Anthropic SDK against the Messages ingress, answered by the mock provider. */
describe('Messages ingress with the Anthropic SDK (mock provider)', () => {
  let gw: GatewayUnderTest;
  let client: Anthropic;
  let key = '';

  beforeAll(async () => {
    gw = await startGateway({
      yaml: [
        'gateway:',
        '  providers:',
        '    mock:',
        '      response-overrides:',
        '        "[mock/fast]": "Fast model response"',
        '  routes:',
        '    - model: claude-*',
        '      providers:',
        '        - provider: mock',
        '          model: mock/fast',
      ].join('\n'),
    });
    key = await issueKey(gw);
    client = new Anthropic({ baseURL: gw.url, apiKey: key, maxRetries: 0 });
  });
  afterAll(() => gw.close());

  it('answers messages.create in the Messages format', async () => {
    const message = await client.messages.create({
      model: 'mock/fast',
      max_tokens: 64,
      system: 'Be terse.',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(message.type).toBe('message');
    expect(message.role).toBe('assistant');
    expect(message.id).toMatch(/^msg_/);
    expect(message.model).toBe('mock/fast');
    expect(message.content).toEqual([{ type: 'text', text: 'Fast model response' }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.stop_sequence).toBeNull();
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBeGreaterThan(0);
  });

  it('streams events the SDK assembles into the final message', async () => {
    const stream = client.messages.stream({
      model: 'mock/fast',
      max_tokens: 64,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
    });
    const types: string[] = [];
    stream.on('streamEvent', (event) => types.push(event.type));
    const final = await stream.finalMessage();
    expect(final.content).toEqual([{ type: 'text', text: 'Fast model response' }]);
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage.output_tokens).toBeGreaterThan(0);
    expect(types[0]).toBe('message_start');
    expect(types.slice(-2)).toEqual(['message_delta', 'message_stop']);
  });

  it('sends every stream event with its event: line and no [DONE]', async () => {
    const response = await fetch(`${gw.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify({
        model: 'mock/fast',
        max_tokens: 64,
        stream: true,
        messages: [{ role: 'user', content: 'Hi' }],
      }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const raw = await response.text();
    expect(raw).not.toContain('[DONE]');
    const frames = raw.split('\n\n').filter((frame) => frame !== '');
    for (const frame of frames) {
      const [eventLine, dataLine] = frame.split('\n');
      const name = eventLine.replace(/^event: /, '');
      expect(JSON.parse(dataLine.replace(/^data: /, '')).type).toBe(name);
    }
    expect(frames.map((frame) => frame.split('\n')[0])).toEqual([
      'event: message_start',
      'event: ping',
      'event: content_block_start',
      ...frames
        .filter((f) => f.startsWith('event: content_block_delta'))
        .map(() => 'event: content_block_delta'),
      'event: content_block_stop',
      'event: message_delta',
      'event: message_stop',
    ]);
  });

  it('routes a Claude model name to another provider with a route', async () => {
    const message = await client.messages.create({
      model: 'claude-sonnet-5-5',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(message.content).toEqual([{ type: 'text', text: 'Fast model response' }]);
    expect(message.model).toBe('claude-sonnet-5-5');
  });

  it('authenticates with Authorization: Bearer as Claude Code does', async () => {
    const bearer = new Anthropic({ baseURL: gw.url, authToken: key, apiKey: null, maxRetries: 0 });
    const message = await bearer.messages.create({
      model: 'mock/fast',
      max_tokens: 16,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(message.content[0]).toEqual({ type: 'text', text: 'Fast model response' });
  });

  it('counts tokens', async () => {
    const count = await client.messages.countTokens({
      model: 'mock/fast',
      system: 'Be terse.',
      messages: [{ role: 'user', content: 'Hello there, how are you today?' }],
    });
    expect(count.input_tokens).toBeGreaterThan(5);
    const more = await client.messages.countTokens({
      model: 'mock/fast',
      system: 'Be terse.',
      messages: [{ role: 'user', content: 'Hello there, how are you today? '.repeat(20) }],
    });
    expect(more.input_tokens).toBeGreaterThan(count.input_tokens);
  });

  it('refuses a bad key with 401 authentication_error in the Messages envelope', async () => {
    const bad = new Anthropic({ baseURL: gw.url, apiKey: 'gw-not-a-key', maxRetries: 0 });
    const error = await bad.messages
      .create({ model: 'mock/fast', max_tokens: 8, messages: [{ role: 'user', content: 'Hi' }] })
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    const apiError = error as APIError;
    expect(apiError.status).toBe(401);
    expect(apiError.error).toEqual({
      type: 'error',
      error: { type: 'authentication_error', message: expect.any(String) },
      request_id: apiError.headers?.get('x-trace-id'),
    });
  });

  it('refuses an invalid body with 400 invalid_request_error naming the field', async () => {
    const response = await postJson(
      `${gw.url}/v1/messages`,
      { model: 'mock/fast', messages: [{ role: 'user', content: 'Hi' }] },
      { 'x-api-key': key },
    );
    expect(response.status).toBe(400);
    expect(response.body.type).toBe('error');
    expect(response.body.error.type).toBe('invalid_request_error');
    expect(response.body.error.message).toContain('max_tokens');
    const role = await postJson(
      `${gw.url}/v1/messages`,
      { model: 'mock/fast', max_tokens: 8, messages: [{ role: 'system', content: 'Hi' }] },
      { 'x-api-key': key },
    );
    expect(role.status).toBe(400);
    expect(role.body.error.message).toMatch(/^messages\[0\]\.role /);
    const unknown = await postJson(
      `${gw.url}/v1/messages`,
      { model: 'mock/fast', max_tokens: 8, messages: [{ role: 'user', content: 'Hi' }], n: 2 },
      { 'x-api-key': key },
    );
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toEqual({
      type: 'invalid_request_error',
      message: expect.stringContaining("'n'"),
    });
  });

  it('answers an unknown model in the Messages envelope, and keeps the OpenAI envelope elsewhere', async () => {
    const error = await client.messages
      .create({ model: 'gpt-4o', max_tokens: 8, messages: [{ role: 'user', content: 'Hi' }] })
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as APIError).error).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error' },
    });
    const chat = await postJson(
      `${gw.url}/v1/chat/completions`,
      { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] },
      { authorization: `Bearer ${key}` },
    );
    expect(chat.body.error.code).toBe('no_provider');
    const notFound = await postJson(`${gw.url}/v1/messages/batches`, {}, { 'x-api-key': key });
    expect(notFound.status).toBe(404);
    expect(notFound.body.error.type).toBe('not_found_error');
  });
});
