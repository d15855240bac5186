import type OpenAI from 'openai';
import { DEFAULT_REPLY_TEXT } from '../../fakes/fake-openai-compatible.server.js';
import { postJson } from '../../helpers/gateway-harness.js';
import { expectOpenAiShape } from '../../helpers/openai-schemas.js';
import {
  type CompatibleProviderCase,
  type CompatibleProviderContext,
  helloFor,
  PNG_DATA_URL,
  weatherTool,
} from './openai-compatible.case.js';

/**
 * What the provider's row of the capability matrix promises: each "yes" works through the SDK,
 * each "no" is refused with 400 before any upstream call; embeddings likewise.
 */
export function capabilityTests(
  item: CompatibleProviderCase,
  ctx: () => CompatibleProviderContext,
): void {
  const hello = () => helloFor(item);

  if (item.capabilities.tools) {
    it('returns a tool call through the SDK, and sends the tools upstream', async () => {
      ctx().fake.setReply({ toolCalls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }] });
      const completion = await ctx().client.chat.completions.create({
        ...hello(),
        messages: [{ role: 'user', content: 'Weather in Paris?' }],
        tools: [weatherTool],
      });
      const choice = completion.choices[0];
      expect(choice.finish_reason).toBe('tool_calls');
      const call = choice.message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall;
      expect(call.function).toEqual({ name: 'get_weather', arguments: '{"city":"Paris"}' });
      expect(call.id).not.toBe('');
      expect((ctx().fake.requests[0].body as { tools: unknown[] }).tools).toHaveLength(1);
    });

    it("streams a tool call that the SDK's accumulator assembles whole", async () => {
      ctx().fake.setReply({
        toolCalls: [{ name: 'get_weather', arguments: '{"city":"Rome","unit":"c"}' }],
      });
      const stream = ctx().client.chat.completions.stream({
        ...hello(),
        messages: [{ role: 'user', content: 'Weather in Rome?' }],
        tools: [weatherTool],
      });
      const final = await stream.finalChatCompletion();
      const call = final.choices[0].message.tool_calls![0];
      expect(final.choices[0].finish_reason).toBe('tool_calls');
      expect(call.function.name).toBe('get_weather');
      expect(JSON.parse(call.function.arguments)).toEqual({ city: 'Rome', unit: 'c' });
    });
  }

  if (item.capabilities.vision) {
    it('sends an image part upstream', async () => {
      const completion = await ctx().client.chat.completions.create({
        ...hello(),
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is this?' },
              { type: 'image_url', image_url: { url: PNG_DATA_URL } },
            ],
          },
        ],
      });
      expect(completion.choices[0].message.content).toBe(DEFAULT_REPLY_TEXT);
      const sent = JSON.stringify(ctx().fake.requests[0].body);
      expect(sent).toContain(PNG_DATA_URL);
    });
  }

  if (item.capabilities.jsonObject) {
    it('passes response_format json_object upstream', async () => {
      ctx().fake.setReply({ content: '{"ok":true}' });
      const completion = await ctx().client.chat.completions.create({
        ...hello(),
        messages: [{ role: 'user', content: 'Reply in JSON' }],
        response_format: { type: 'json_object' },
      });
      expect(JSON.parse(completion.choices[0].message.content!)).toEqual({ ok: true });
      expect((ctx().fake.requests[0].body as { response_format: unknown }).response_format).toEqual(
        {
          type: 'json_object',
        },
      );
    });
  }

  if (item.capabilities.jsonSchema) {
    it('passes response_format json_schema upstream', async () => {
      ctx().fake.setReply({ content: '{"city":"Paris"}' });
      const schema = {
        type: 'object',
        properties: { city: { type: 'string' } },
        required: ['city'],
      };
      const completion = await ctx().client.chat.completions.create({
        ...hello(),
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'place', schema, strict: true },
        },
      });
      expect(JSON.parse(completion.choices[0].message.content!)).toEqual({ city: 'Paris' });
      expect(ctx().fake.requests[0].body).toMatchObject({
        response_format: { type: 'json_schema', json_schema: { name: 'place', schema } },
      });
    });
  }

  const refusals: [string, object, string, string][] = [];
  if (!item.capabilities.vision) {
    refusals.push([
      'an image',
      {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is this?' },
              { type: 'image_url', image_url: { url: PNG_DATA_URL } },
            ],
          },
        ],
      },
      'unsupported_capability',
      'messages[0].content',
    ]);
  }
  if (!item.capabilities.tools) {
    refusals.push(['tools', { tools: [weatherTool] }, 'unsupported_capability', 'tools']);
  }
  if (!item.capabilities.jsonObject) {
    refusals.push([
      'response_format json_object',
      { response_format: { type: 'json_object' } },
      'unsupported_response_format',
      'response_format',
    ]);
  }
  if (!item.capabilities.jsonSchema) {
    refusals.push([
      'response_format json_schema',
      {
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'x', schema: { type: 'object' } },
        },
      },
      'unsupported_response_format',
      'response_format',
    ]);
  }
  if (refusals.length > 0) {
    it.each(refusals)(
      'refuses %s with 400 before calling the upstream',
      async (_what, extra, code, param) => {
        const res = await postJson(ctx().chatUrl, { ...hello(), ...extra });
        expect(res.status).toBe(400);
        expect(res.body.error).toMatchObject({ code, param });
        expect(res.body.error.message).toContain(item.id);
        expect(ctx().fake.requests).toHaveLength(0);
      },
    );
  }

  if (item.embeddings) {
    const embeddings = item.embeddings;
    it('returns embeddings through the SDK from the vendor embeddings endpoint', async () => {
      const result = await ctx().client.embeddings.create({
        model: embeddings.model,
        input: ['alpha', 'beta'],
      });
      expect(result.data).toHaveLength(2);
      expect(result.data[0].embedding.length).toBeGreaterThan(0);
      expectOpenAiShape('CreateEmbeddingResponse', result);
      const received = ctx().fake.requests[0];
      expect(received.path.split('?')[0]).toBe(embeddings.path);
      if (!item.modelInPath)
        expect((received.body as { model: string }).model).toBe(embeddings.upstreamModel);
    });
  } else {
    it('refuses embeddings with 400 before calling the upstream', async () => {
      const res = await postJson(`${ctx().gw.url}/v1/embeddings`, {
        model: item.model,
        input: 'x',
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('unsupported_capability');
      expect(ctx().fake.requests).toHaveLength(0);
    });
  }
}
