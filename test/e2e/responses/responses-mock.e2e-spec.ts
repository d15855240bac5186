import OpenAI from 'openai';
import { setTimeout as sleep } from 'node:timers/promises';
import { AuditTrail } from '../../../src/governance/audit/audit-trail.service.js';
import { call, TOKEN } from '../../helpers/admin-client.js';
import { expectOpenAiShape } from '../../helpers/openai-schemas.js';
import {
  expectResponsesShape,
  expectResponsesStream,
} from '../../helpers/openai-responses-schemas.js';
import { type GatewayUnderTest, issueKey, postJson } from '../../helpers/gateway-harness.js';
import { startGateway } from '../../helpers/gateway-harness.js';

const PROMPT = 'my-very-private-responses-prompt';

/**
 * The Responses ingress with the official `openai` SDK, answered by the mock provider (so the call
 * is translated to chat and back), and governed exactly like chat: keys, validation, policies,
 * rate limits, audit and metering.
 */
describe('Responses ingress with the OpenAI SDK (mock provider)', () => {
  let gw: GatewayUnderTest;
  let key = '';
  let client: OpenAI;
  const sdk = (apiKey: string) => new OpenAI({ baseURL: `${gw.url}/v1`, apiKey, maxRetries: 0 });
  const post = (body: unknown, apiKey = key) =>
    postJson(`${gw.url}/v1/responses`, body, { authorization: `Bearer ${apiKey}` });

  beforeAll(async () => {
    gw = await startGateway({
      env: { GATEWAY_ADMIN_TOKEN: TOKEN },
      yaml: `
gateway:
  providers:
    mock: { latency-ms: 0, stream-token-delay-ms: 0, response: "one two three" }
  metering: { flush-interval-ms: 50 }
  policies:
    - id: house-rules
      dsl: |
        rules:
          - id: no-shell
            conditions:
              tools: { denylist: [shell_exec] }
            deny_message: "The shell_exec tool is not allowed."
`,
    });
    key = await issueKey(gw, { tenant: 'responses' });
    client = sdk(key);
  });
  afterAll(() => gw.close());

  it('answers responses.create with a Response object that validates against the spec', async () => {
    const response = await client.responses.create({
      model: 'mock/any',
      instructions: 'Be terse.',
      input: 'Hello',
      max_output_tokens: 64,
    });
    expectResponsesShape('Response', JSON.parse(JSON.stringify(response)));
    expect(response.id).toMatch(/^resp_/);
    expect(response.object).toBe('response');
    expect(response.status).toBe('completed');
    expect(response.model).toBe('mock/any');
    expect(response.instructions).toBe('Be terse.');
    expect(response.output_text).toBe('one two three');
    expect(response.output[0]).toMatchObject({ type: 'message', role: 'assistant' });
    expect(response.usage?.input_tokens).toBeGreaterThan(0);
    expect(response.usage?.output_tokens).toBeGreaterThan(0);
    expect(response.usage?.total_tokens).toBe(
      response.usage!.input_tokens + response.usage!.output_tokens,
    );
  });

  it('streams events responses.stream assembles into the final response', async () => {
    const stream = client.responses.stream({
      model: 'mock/any',
      input: [{ role: 'user', content: 'Hi' }],
    });
    const deltas: string[] = [];
    stream.on('response.output_text.delta', (event) => deltas.push(event.delta));
    const final = await stream.finalResponse();
    expect(final.status).toBe('completed');
    // The SDK's stream helper does not fill in `output_text`; the message carries the text.
    expect(final.output).toMatchObject([
      { type: 'message', content: [{ type: 'output_text', text: 'one two three' }] },
    ]);
    expect(deltas.join('')).toBe('one two three');
    expect(final.usage?.output_tokens).toBeGreaterThan(0);
  });

  it('sends every event with its event: line, numbered, and nothing after the last', async () => {
    const response = await fetch(`${gw.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'mock/any', input: 'Hi', stream: true }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(response.headers.get('x-gateway-provider')).toBe('mock');
    const raw = await response.text();
    const frames = raw.split('\n\n').filter((frame) => frame !== '');
    const events = frames.map((frame) => {
      const [eventLine, dataLine] = frame.split('\n');
      const event = JSON.parse(dataLine.slice('data: '.length));
      expect(eventLine).toBe(`event: ${event.type}`);
      return event;
    });
    expectResponsesStream(events);
    expect(events.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      ...events.slice(4, -4).map(() => 'response.output_text.delta'),
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events[0].response.usage).toBeNull();
    expect(raw).not.toContain('[DONE]');
  });

  it.each([
    [{ model: 'mock/any' }, 'validation_error', 'input'],
    [{ model: 'mock/any', input: 'x', temperature: 5 }, 'validation_error', 'temperature'],
    [
      { model: 'mock/any', input: [{ role: 'robot', content: 'x' }] },
      'validation_error',
      'input[0].role',
    ],
    [
      { model: 'mock/any', input: 'x', tools: [{ type: 'function' }] },
      'validation_error',
      'tools[0].name',
    ],
    [{ model: 'mock/any', input: 'x', frobnicate: true }, 'unsupported_capability', 'frobnicate'],
    [{ model: 'mock/any', input: 'x', store: true }, 'unsupported_capability', 'store'],
    [
      { model: 'mock/any', input: 'x', previous_response_id: 'resp_1' },
      'unsupported_capability',
      'previous_response_id',
    ],
    [
      { model: 'mock/any', input: 'x', tools: [{ type: 'web_search' }] },
      'unsupported_capability',
      'tools[0]',
    ],
  ])('refuses %j with a 400 %s naming %s', async (body, code, param) => {
    const answer = await post(body);
    expect(answer.status).toBe(400);
    expectOpenAiShape('ErrorResponse', answer.body);
    expect(answer.body.error).toMatchObject({ type: 'invalid_request_error', code, param });
    expect(JSON.stringify(answer.body)).not.toMatch(/\bat .+\.js:\d+/);
  });

  it('refuses a streamed call it cannot translate before any byte, in the OpenAI envelope', async () => {
    const answer = await post({ model: 'mock/any', input: 'x', stream: true, store: true });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: 'unsupported_capability', param: 'store' });
  });

  it('refuses a wrong key with 401 in the OpenAI envelope', async () => {
    const error = await sdk(`gw_${'0'.repeat(40)}`)
      .responses.create({ model: 'mock/any', input: 'Hi' })
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('invalid_api_key');
  });

  it('refuses a call a policy denies, naming the rule’s message', async () => {
    const error = await client.responses
      .create({
        model: 'mock/any',
        input: 'ls',
        tools: [{ type: 'function', name: 'shell_exec', parameters: {}, strict: false }],
      })
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('policy_denied');
    expect((error as Error).message).toContain('The shell_exec tool is not allowed.');
  });

  it('applies the key’s rate limit', async () => {
    const tenant = 'responses-limited';
    expect(
      (await call(gw, 'POST', '/v1/admin/tenants', { body: { id: tenant, name: tenant } })).status,
    ).toBe(201);
    const issued = await call(gw, 'POST', `/v1/admin/tenants/${tenant}/keys`, {
      body: { name: 'app', rate_limits: { requests_per_minute: 1 } },
    });
    const limited = issued.body.key as string;
    expect((await post({ model: 'mock/any', input: 'Hi' }, limited)).status).toBe(200);
    const refused = await post({ model: 'mock/any', input: 'Hi' }, limited);
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('rate_limit_exceeded');
    expect(refused.headers.get('retry-after')).not.toBeNull();
  });

  it('leaves one GATEWAY_RESPONSE audit record naming the endpoint, and a usage record', async () => {
    const tenant = 'responses-audited';
    const audited = await issueKey(gw, { tenant });
    const traceId = 'responses-audit-1';
    const answer = await postJson(
      `${gw.url}/v1/responses`,
      { model: 'mock/any', input: PROMPT },
      { authorization: `Bearer ${audited}`, 'x-trace-id': traceId },
    );
    expect(answer.status).toBe(200);
    await gw.app.get(AuditTrail).flush();
    const records = (await call(gw, 'GET', `/v1/admin/audit?trace_id=${traceId}`)).body.data;
    const responses = records.filter((r: any) => r.event_type === 'GATEWAY_RESPONSE');
    expect(responses).toHaveLength(1);
    expect(responses[0].payload).toMatchObject({
      trace_id: traceId,
      method: 'POST',
      path: '/v1/responses',
      status: 200,
      provider: 'mock',
      model: 'mock/any',
      input_tokens: answer.body.usage.input_tokens,
      output_tokens: answer.body.usage.output_tokens,
    });
    expect(JSON.stringify(records)).not.toContain(PROMPT);

    let report: any;
    for (let i = 0; i < 40; i++) {
      report = await call(gw, 'GET', `/v1/admin/spend?tenant=${tenant}&group_by=model`);
      if (report.body?.total?.requests >= 1) break;
      await sleep(50);
    }
    expect(report.body.total.requests).toBe(1);
    expect(report.body.data[0]).toMatchObject({ model: 'mock/any' });
  });
});
