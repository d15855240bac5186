import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import {
  DEFAULT_GEMINI_TEXT,
  FAKE_GEMINI_API_KEY,
  FakeGeminiServer,
} from '../fakes/fake-gemini.server.js';
import { type GatewayUnderTest, issueKey, startGateway } from '../helpers/gateway-harness.js';
import { expectResponsesShape } from '../helpers/openai-responses-schemas.js';

const MODEL = 'gemini-2.5-flash';

interface GeminiBody {
  contents: { role: string; parts: Record<string, any>[] }[];
  systemInstruction?: { parts: { text: string }[] };
  tools?: { functionDeclarations: { name: string }[] }[];
}

/**
 * The Messages and Responses ingresses translated for Gemini (contract 15 and 16: every provider
 * that is not the ingress's own vendor gets the call as chat, translated again to its wire
 * format), against the fake Gemini upstream on loopback, with the official SDKs as clients: a text
 * answer, streamed and not, and a function tool round trip whose result reaches Gemini as a
 * `functionResponse`.
 */
describe('Messages and Responses ingresses to Gemini', () => {
  const fake = new FakeGeminiServer();
  let gw: GatewayUnderTest;
  let openai: OpenAI;
  let anthropic: Anthropic;
  const sent = (i = -1) => fake.requests.at(i)?.body as GeminiBody;

  beforeAll(async () => {
    const { baseUrl } = await fake.start();
    gw = await startGateway({
      singleAttempt: true,
      env: { GEMINI_API_KEY: FAKE_GEMINI_API_KEY, GEMINI_BASE_URL: baseUrl },
    });
    const key = await issueKey(gw);
    openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: key, maxRetries: 0 });
    anthropic = new Anthropic({ baseURL: gw.url, apiKey: key, maxRetries: 0 });
  });
  afterEach(() => fake.reset());
  afterAll(async () => {
    await gw.close();
    await fake.close();
  });

  describe('POST /v1/responses', () => {
    it('answers a string input with instructions as a response object', async () => {
      const response = await openai.responses.create({
        model: MODEL,
        instructions: 'Be brief.',
        input: 'Hello',
      });
      expectResponsesShape('Response', response);
      expect(response.status).toBe('completed');
      expect(response.output_text).toBe(DEFAULT_GEMINI_TEXT);
      expect(response.usage?.input_tokens).toBeGreaterThan(0);
      expect(sent().systemInstruction?.parts[0].text).toBe('Be brief.');
      expect(sent().contents.at(-1)).toMatchObject({ role: 'user', parts: [{ text: 'Hello' }] });
    });

    it('streams the answer as Responses events the SDK assembles', async () => {
      const final = await openai.responses.stream({ model: MODEL, input: 'Hello' }).finalResponse();
      expect(final.status).toBe('completed');
      // The SDK's stream helper does not fill in `output_text`; the message carries the text.
      expect(final.output).toMatchObject([
        { type: 'message', content: [{ type: 'output_text', text: DEFAULT_GEMINI_TEXT }] },
      ]);
    });

    it('round-trips a function tool: a function_call out, its output back to Gemini', async () => {
      fake.setReply({ functionCalls: [{ name: 'get_weather', args: { city: 'Paris' } }] });
      const tool = {
        type: 'function' as const,
        name: 'get_weather',
        parameters: {
          type: 'object',
          properties: { city: { type: 'string' } },
          required: ['city'],
        },
        strict: false,
      };
      const input: OpenAI.Responses.ResponseInputItem[] = [
        { role: 'user', content: 'Weather in Paris?' },
      ];
      const first = await openai.responses.create({ model: MODEL, input, tools: [tool] });
      expectResponsesShape('Response', first);
      const call = first.output.find(
        (item): item is OpenAI.Responses.ResponseFunctionToolCall => item.type === 'function_call',
      );
      expect(call).toMatchObject({ name: 'get_weather', arguments: '{"city":"Paris"}' });
      expect(sent().tools?.[0].functionDeclarations.map((d) => d.name)).toEqual(['get_weather']);

      fake.setReply({ text: 'It is 18C and sunny in Paris.' });
      const second = await openai.responses.create({
        model: MODEL,
        tools: [tool],
        input: [
          ...input,
          call!,
          { type: 'function_call_output', call_id: call!.call_id, output: '{"temp_c":18}' },
        ],
      });
      expect(second.output_text).toBe('It is 18C and sunny in Paris.');
      const parts = sent().contents.flatMap((content) => content.parts);
      expect(parts.find((part) => part.functionCall !== undefined)?.functionCall).toMatchObject({
        name: 'get_weather',
        args: { city: 'Paris' },
      });
      expect(
        parts.find((part) => part.functionResponse !== undefined)?.functionResponse,
      ).toMatchObject({ name: 'get_weather' });
    });
  });

  describe('POST /v1/messages', () => {
    it('answers with a Messages answer, system blocks sent as Gemini system instruction', async () => {
      const message = await anthropic.messages.create({
        model: MODEL,
        max_tokens: 200,
        system: [{ type: 'text', text: 'Be brief.' }],
        messages: [{ role: 'user', content: 'Hello' }],
      });
      expect(message).toMatchObject({
        type: 'message',
        role: 'assistant',
        model: MODEL,
        stop_reason: 'end_turn',
        content: [{ type: 'text', text: DEFAULT_GEMINI_TEXT }],
      });
      expect(message.usage.input_tokens).toBeGreaterThan(0);
      expect(sent().systemInstruction?.parts[0].text).toBe('Be brief.');
    });

    it('streams events that the SDK assembles into the same answer', async () => {
      const final = await anthropic.messages
        .stream({ model: MODEL, max_tokens: 200, messages: [{ role: 'user', content: 'Hello' }] })
        .finalMessage();
      expect(final.stop_reason).toBe('end_turn');
      expect(final.content).toEqual([
        expect.objectContaining({ type: 'text', text: DEFAULT_GEMINI_TEXT }),
      ]);
    });

    it('round-trips a tool: tool_use out, tool_result back to Gemini as a functionResponse', async () => {
      fake.setReply({ functionCalls: [{ name: 'get_weather', args: { city: 'Paris' } }] });
      const tools: Anthropic.Tool[] = [
        {
          name: 'get_weather',
          input_schema: {
            type: 'object',
            properties: { city: { type: 'string' } },
            required: ['city'],
          },
        },
      ];
      const question: Anthropic.MessageParam = { role: 'user', content: 'Weather in Paris?' };
      const first = await anthropic.messages.create({
        model: MODEL,
        max_tokens: 200,
        tools,
        messages: [question],
      });
      expect(first.stop_reason).toBe('tool_use');
      const use = first.content.find(
        (block): block is Anthropic.ToolUseBlock => block.type === 'tool_use',
      );
      expect(use).toMatchObject({ name: 'get_weather', input: { city: 'Paris' } });

      fake.setReply({ text: 'It is 18C and sunny in Paris.' });
      const second = await anthropic.messages.create({
        model: MODEL,
        max_tokens: 200,
        tools,
        messages: [
          question,
          { role: 'assistant', content: first.content },
          {
            role: 'user',
            content: [{ type: 'tool_result', tool_use_id: use!.id, content: '{"temp_c":18}' }],
          },
        ],
      });
      expect(second.content).toEqual([
        expect.objectContaining({ type: 'text', text: 'It is 18C and sunny in Paris.' }),
      ]);
      const parts = sent().contents.flatMap((content) => content.parts);
      expect(
        parts.find((part) => part.functionResponse !== undefined)?.functionResponse,
      ).toMatchObject({ name: 'get_weather' });
    });
  });
});
