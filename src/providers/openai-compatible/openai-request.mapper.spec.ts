import { ALL_FORWARDED } from '../field-map.js';
import type { ChatCompletionRequest } from '../llm-provider.types.js';
import { toOpenAiChatBody, toOpenAiEmbeddingBody } from './openai-request.mapper.js';

describe('OpenAI request mapper', () => {
  describe(toOpenAiChatBody.name, () => {
    const full: ChatCompletionRequest = {
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'Be terse.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            {
              type: 'image_url',
              image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' },
            },
          ],
          name: 'ana',
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '42' },
      ],
      max_tokens: 10,
      max_completion_tokens: 20,
      temperature: 0.2,
      top_p: 0.9,
      frequency_penalty: 0.1,
      presence_penalty: -0.1,
      stop: ['\n\n'],
      seed: 7,
      user: 'u-1',
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'answer', schema: { type: 'object' }, strict: true },
      },
      tools: [
        {
          type: 'function',
          function: { name: 'f', description: 'd', parameters: { type: 'object' }, strict: true },
        },
      ],
      tool_choice: { type: 'function', function: { name: 'f' } },
      parallel_tool_calls: false,
      metadata: { team: 'a' },
      n: 1,
    };

    it('forwards every field of the request, with the upstream model', () => {
      expect(toOpenAiChatBody(full, 'gpt-4o-2024-08-06', false, true, ALL_FORWARDED)).toEqual({
        ...full,
        model: 'gpt-4o-2024-08-06',
      });
    });

    it('asks for usage when streaming, whatever the caller asked', () => {
      const body = toOpenAiChatBody(
        { ...full, stream: true, stream_options: { include_usage: false } },
        'gpt-4o',
        true,
      );
      expect(body.stream).toBe(true);
      expect(body.stream_options).toEqual({ include_usage: true });
    });

    it('never sends stream fields on a JSON call', () => {
      const body = toOpenAiChatBody({ ...full, stream: true }, 'gpt-4o', false);
      expect(body).not.toHaveProperty('stream');
      expect(body).not.toHaveProperty('stream_options');
    });

    it('drops keys the gateway does not know, at every level', () => {
      const sneaky = {
        model: 'gpt-4o',
        messages: [
          {
            role: 'user',
            content: [{ type: 'text', text: 'hi', cache_control: { type: 'ephemeral' } }],
            x_tenant: 't',
          },
        ],
        tools: [{ type: 'function', function: { name: 'f', x: 1 }, y: 2 }],
        response_format: { type: 'json_object', z: 3 },
        trace_id: 'abc',
        logit_bias: { 1: 1 },
      } as unknown as ChatCompletionRequest;

      expect(toOpenAiChatBody(sneaky, 'gpt-4o', false)).toEqual({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
        tools: [{ type: 'function', function: { name: 'f' } }],
        response_format: { type: 'json_object' },
      });
    });
  });

  describe(toOpenAiEmbeddingBody.name, () => {
    it('asks for base64 and forwards dimensions and user only when set', () => {
      expect(
        toOpenAiEmbeddingBody({ model: 'x', input: ['a'], encoding_format: 'float' }, 'te-3'),
      ).toEqual({
        model: 'te-3',
        input: ['a'],
        encoding_format: 'base64',
      });
      expect(
        toOpenAiEmbeddingBody({ model: 'x', input: 'a', dimensions: 64, user: 'u' }, 'te-3'),
      ).toEqual({
        model: 'te-3',
        input: 'a',
        encoding_format: 'base64',
        dimensions: 64,
        user: 'u',
      });
    });
  });
});
