import OpenAI from 'openai';
import { ApiKeyService } from '../../../src/governance/auth/api-key.service.js';
import { TenantRepository } from '../../../src/storage/tenant.repository.js';
import { FAKE_OPENAI_API_KEY, FakeOpenAiServer } from '../../fakes/fake-openai.server.js';
import { expectOpenAiShape } from '../../helpers/openai-schemas.js';
import { type GatewayUnderTest, issueKey, startGateway } from '../../helpers/gateway-harness.js';

/** Reads a raw Responses SSE body into its events, checking each `event:` line. */
async function eventsOf(response: Response): Promise<any[]> {
  const raw = await response.text();
  return raw
    .split('\n\n')
    .filter((frame) => frame !== '')
    .map((frame) => {
      const [eventLine, dataLine] = frame.split('\n');
      const event = JSON.parse(dataLine.slice('data: '.length));
      expect(eventLine).toBe(`event: ${event.type}`);
      return event;
    });
}

/**
 * The Responses ingress to OpenAI models: the body forwarded as written to the upstream's own
 * `/v1/responses` (stored responses, built-in tools), the answer relayed as sent, governance as
 * for any call; translated to chat when governance changed the request.
 */
describe('Responses ingress passthrough to OpenAI', () => {
  const openai = new FakeOpenAiServer();
  let gw: GatewayUnderTest;
  let key = '';
  let redactorKey = '';
  let client: OpenAI;
  const received = () => openai.requests.at(-1)!;

  beforeAll(async () => {
    const { baseUrl } = await openai.start();
    gw = await startGateway({
      singleAttempt: true,
      env: { OPENAI_API_KEY: FAKE_OPENAI_API_KEY, OPENAI_BASE_URL: baseUrl },
      yaml: `
gateway:
  pii:
    # Passthrough only where no PII stage must read the answer.
    scan-responses: false
`,
    });
    key = await issueKey(gw);
    await gw.app.get(TenantRepository).create({
      id: 'redactor',
      name: 'redactor',
      settings: { piiAction: 'REDACT' },
    });
    redactorKey = (await gw.app.get(ApiKeyService).create('redactor', { name: 'e2e' })).plaintext;
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: key, maxRetries: 0 });
  });
  afterEach(() => openai.reset());
  afterAll(async () => {
    await gw.close();
    await openai.close();
  });

  it('forwards the body unchanged, stores the response upstream and continues from it', async () => {
    openai.setReply({ content: 'Hello there.' });
    const body = {
      model: 'gpt-4o',
      input: 'Hi',
      store: true,
      tools: [{ type: 'web_search' as const }],
      include: ['web_search_call.action.sources' as const],
      metadata: { team: 'a' },
    };
    const first = await client.responses.create(body);
    expect(first.id).toMatch(/^resp_fake/);
    expect(first.output_text).toBe('Hello there.');
    expect(received().path).toBe('/v1/responses');
    expect(received().body).toEqual({ ...body, stream: false });
    expect(received().headers.authorization).toBe(`Bearer ${FAKE_OPENAI_API_KEY}`);
    expect(received().headers.authorization).not.toContain(key);

    const second = await client.responses.create({
      model: 'gpt-4o',
      input: 'And again?',
      previous_response_id: first.id,
    });
    expect(second.previous_response_id).toBe(first.id);
  });

  it('relays the upstream stream event by event, and the SDK assembles it', async () => {
    openai.setReply({ toolCalls: [{ id: 'call_1', name: 'lookup', arguments: '{"q":"x"}' }] });
    const stream = client.responses.stream({
      model: 'gpt-4o',
      input: 'Look it up',
      tools: [{ type: 'function', name: 'lookup', parameters: {}, strict: false }],
    });
    const final = await stream.finalResponse();
    expect(final.id).toMatch(/^resp_fake/);
    expect(final.output[0]).toMatchObject({
      type: 'function_call',
      call_id: 'call_1',
      arguments: '{"q":"x"}',
    });
    expect(received().body).toMatchObject({ stream: true, model: 'gpt-4o' });
  });

  it('keeps the upstream events as sent, obfuscation included, with their sequence numbers', async () => {
    const response = await fetch(`${gw.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'gpt-4o', input: 'Hi', stream: true }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-gateway-provider')).toBe('openai');
    const events = await eventsOf(response);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events.find((e) => e.type === 'response.output_text.delta').obfuscation).toBe('fAk3');
    expect(events.at(-1).type).toBe('response.completed');
  });

  it('translates to chat when governance changed the request, and then refuses store', async () => {
    openai.setReply({ content: 'Noted.' });
    const redactor = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: redactorKey, maxRetries: 0 });
    const response = await redactor.responses.create({
      model: 'gpt-4o',
      input: 'Mail jane.doe@example.com',
    });
    expect(response.output_text).toBe('Noted.');
    expect(received().path).toBe('/v1/chat/completions');
    const sent = JSON.stringify(received().body);
    expect(sent).not.toContain('jane.doe@example.com');
    expect(sent).toContain('[REDACTED_EMAIL]');

    const error = await redactor.responses
      .create({ model: 'gpt-4o', input: 'Mail jane.doe@example.com', store: true })
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.APIError>).param).toBe('store');
    expect(openai.requests).toHaveLength(1);
  });

  it('answers an upstream refusal with the gateway’s code in the OpenAI envelope', async () => {
    openai.failNext(429);
    const response = await fetch(`${gw.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'gpt-4o', input: 'Hi' }),
    });
    expect(response.status).toBe(429);
    const body: any = await response.json();
    expectOpenAiShape('ErrorResponse', body);
    expect(body.error.code).toBe('provider_rate_limited');

    const missing = await client.responses
      .create({ model: 'gpt-4o', input: 'Hi', previous_response_id: 'resp_unknown' })
      .catch((err: unknown) => err);
    expect(missing).toBeInstanceOf(OpenAI.APIError);
    expect(JSON.stringify((missing as InstanceType<typeof OpenAI.APIError>).error)).not.toContain(
      FAKE_OPENAI_API_KEY,
    );
  });

  it('ends a stream whose upstream sends an error event with response.failed', async () => {
    openai.streamErrorNext(4);
    const response = await fetch(`${gw.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'gpt-4o', input: 'Hi', stream: true }),
    });
    const events = await eventsOf(response);
    expect(events).toHaveLength(5);
    expect(events.map((e) => e.sequence_number)).toEqual([0, 1, 2, 3, 4]);
    expect(events[4]).toMatchObject({
      type: 'response.failed',
      response: { status: 'failed', error: { code: 'server_error' } },
    });
  });
});
