import OpenAI from 'openai';
import { FAKE_ANTHROPIC_API_KEY, FakeAnthropicServer } from '../../fakes/fake-anthropic.server.js';
import {
  expectResponsesShape,
  expectResponsesStream,
} from '../../helpers/openai-responses-schemas.js';
import { type GatewayUnderTest, issueKey, startGateway } from '../../helpers/gateway-harness.js';

const MODEL = 'claude-sonnet-5-5';

const WEATHER_TOOL = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Get the weather of a city',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
  },
  strict: false,
};

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
 * The Responses ingress translated for a provider without a Responses API (the fake Anthropic
 * upstream on loopback), with the official `openai` SDK as the client: input items, instructions,
 * function tools and their outputs, structured output, and the answer back as a response.
 */
describe('Responses ingress translated to another provider', () => {
  const anthropic = new FakeAnthropicServer();
  let gw: GatewayUnderTest;
  let key = '';
  let client: OpenAI;
  const upstream = () => anthropic.requests.at(-1)!.body as any;

  beforeAll(async () => {
    await anthropic.start();
    gw = await startGateway({
      singleAttempt: true,
      env: { ANTHROPIC_API_KEY: FAKE_ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL: anthropic.baseUrl },
    });
    key = await issueKey(gw);
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: key, maxRetries: 0 });
  });
  afterEach(() => anthropic.reset());
  afterAll(async () => {
    await gw.close();
    await anthropic.close();
  });

  it('round-trips a function tool: definitions out, a function_call back, its output in', async () => {
    anthropic.setReply({
      text: 'Let me check.',
      toolUses: [{ id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }],
    });
    const stream = client.responses.stream({
      model: MODEL,
      instructions: 'You are a weather bot.',
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'Weather in Paris?' }] }],
      tools: [WEATHER_TOOL],
      tool_choice: 'auto',
      max_output_tokens: 200,
    });
    const argumentDeltas: string[] = [];
    stream.on('response.function_call_arguments.delta', (e) => argumentDeltas.push(e.delta));
    const first = await stream.finalResponse();
    expect(first.status).toBe('completed');
    expect(first.output.map((item) => item.type)).toEqual(['message', 'function_call']);
    const call = first.output[1] as OpenAI.Responses.ResponseFunctionToolCall;
    expect(call).toMatchObject({ call_id: 'toolu_1', name: 'get_weather' });
    expect(JSON.parse(call.arguments)).toEqual({ city: 'Paris' });
    expect(argumentDeltas.join('')).toBe(call.arguments);
    expect(upstream()).toMatchObject({
      system: 'You are a weather bot.',
      max_tokens: 200,
      tools: [
        {
          name: 'get_weather',
          description: 'Get the weather of a city',
          input_schema: WEATHER_TOOL.parameters,
        },
      ],
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
    });

    anthropic.setReply({ text: 'It is 18C and sunny in Paris.' });
    const second = await client.responses.create({
      model: MODEL,
      input: [
        { role: 'user', content: 'Weather in Paris?' },
        ...(first.output as OpenAI.Responses.ResponseInputItem[]),
        { type: 'function_call_output', call_id: 'toolu_1', output: '18C sunny' },
      ],
      tools: [WEATHER_TOOL],
    });
    expectResponsesShape('Response', JSON.parse(JSON.stringify(second)));
    expect(second.output_text).toBe('It is 18C and sunny in Paris.');
    const sent = upstream().messages;
    expect(sent[1]).toMatchObject({
      role: 'assistant',
      content: [
        { type: 'text', text: 'Let me check.' },
        { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
      ],
    });
    expect(sent[2]).toMatchObject({
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '18C sunny' }],
    });
  });

  it('streams valid, numbered events for a translated answer', async () => {
    anthropic.setReply({ text: 'Bonjour!' });
    const response = await fetch(`${gw.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: MODEL, input: 'Say hi in French', stream: true }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-gateway-provider')).toBe('anthropic');
    const events = await eventsOf(response);
    expectResponsesStream(events);
    const done = events.find((e) => e.type === 'response.output_text.done');
    expect(done.text).toBe('Bonjour!');
    expect(events.at(-1).response.usage.output_tokens).toBeGreaterThan(0);
  });

  it('maps a cut at the token cap to an incomplete response', async () => {
    anthropic.setReply({ text: 'Once upon a', stopReason: 'max_tokens' });
    const response = await client.responses.create({
      model: MODEL,
      input: 'Tell a story',
      max_output_tokens: 3,
    });
    expect(response.status).toBe('incomplete');
    expect(response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
  });

  it('carries text.format json_schema to the provider as its structured output', async () => {
    const schema = {
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
      additionalProperties: false,
    };
    // The Anthropic adapter asks for structured output with a forced tool (its own mapping).
    anthropic.setReply({
      toolUses: [{ id: 'toolu_s', name: 'structured_output', input: { city: 'Paris' } }],
    });
    const response = await client.responses.create({
      model: MODEL,
      input: 'Which city?',
      text: { format: { type: 'json_schema', name: 'city', schema, strict: true } },
    });
    expect(response.output.map((item) => item.type)).toEqual(['message']);
    expect(JSON.parse(response.output_text)).toEqual({ city: 'Paris' });
    expect(upstream().tools).toEqual([
      { name: 'structured_output', description: expect.any(String), input_schema: schema },
    ]);
  });

  it('reports a failure after the first byte as response.failed, continuing the numbering', async () => {
    anthropic.streamErrorNext(3);
    const response = await fetch(`${gw.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: MODEL, input: 'Hi', stream: true }),
    });
    expect(response.status).toBe(200);
    const events = await eventsOf(response);
    expectResponsesStream(events);
    const failed = events.at(-1);
    expect(failed.type).toBe('response.failed');
    expect(failed.response.status).toBe('failed');
    expect(failed.response.error.code).toBe('server_error');
    expect(JSON.stringify(failed)).not.toContain(FAKE_ANTHROPIC_API_KEY);
  });

  it('refuses stored responses and built-in tools for a translated target, naming them', async () => {
    for (const [body, param] of [
      [{ store: true }, 'store'],
      [{ previous_response_id: 'resp_abc' }, 'previous_response_id'],
      [{ tools: [{ type: 'web_search' }] }, 'tools[0]'],
    ] as const) {
      const error = await client.responses
        .create({ model: MODEL, input: 'Hi', ...(body as object) })
        .catch((err: unknown) => err);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('unsupported_capability');
      expect((error as InstanceType<typeof OpenAI.APIError>).param).toBe(param);
    }
    expect(anthropic.requests).toHaveLength(0);
  });
});
